/**
 * The small SSML subset Riva clients send: `<speak>` with an optional `<prosody rate="80%">`.
 * Returns plain text plus the rate (1 = normal). Pure.
 */
export function parseSsml(input: string): { text: string; rate: number } {
  const trimmed = input.trim();
  if (!trimmed.startsWith('<speak')) return { text: input, rate: 1 };
  let rate = 1;
  const m = /<prosody\b[^>]*\brate\s*=\s*"([^"]+)"/i.exec(trimmed);
  if (m?.[1]) {
    const v = m[1].trim();
    const named: Record<string, number> = { 'x-slow': 0.5, slow: 0.75, medium: 1, fast: 1.25, 'x-fast': 1.5 };
    if (v.endsWith('%')) rate = Number.parseFloat(v) / 100;
    else if (v in named) rate = named[v] as number;
    else rate = Number.parseFloat(v);
    if (!Number.isFinite(rate) || rate <= 0) rate = 1;
  }
  const text = trimmed
    .replace(/<[^>]*>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
  return { text, rate };
}
