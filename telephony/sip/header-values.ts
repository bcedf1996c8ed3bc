/** Parsers for structured SIP header values (RFC 3261 §20, §25). Pure. */

export type Params = Record<string, string | null>;

function parseParams(text: string): Params {
  const params: Params = {};
  for (const part of text.split(';')) {
    const p = part.trim();
    if (!p) continue;
    const eq = p.indexOf('=');
    if (eq < 0) params[p.toLowerCase()] = null;
    else
      params[p.slice(0, eq).trim().toLowerCase()] = p
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1');
  }
  return params;
}

export function formatParams(params: Params): string {
  return Object.entries(params)
    .map(([k, v]) => (v === null ? `;${k}` : `;${k}=${v}`))
    .join('');
}

export interface NameAddr {
  display?: string;
  uri: string;
  /** Header parameters (tag, expires, ...), not URI parameters. */
  params: Params;
}

/** `"Bob" <sip:bob@host;transport=udp>;tag=x` or `sip:bob@host;tag=x`. */
export function parseNameAddr(value: string): NameAddr {
  const v = value.trim();
  const lt = v.indexOf('<');
  if (lt >= 0) {
    const gt = v.indexOf('>', lt);
    if (gt < 0) throw new Error(`unclosed '<' in ${JSON.stringify(v.slice(0, 60))}`);
    const display = v
      .slice(0, lt)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    return {
      display: display || undefined,
      uri: v.slice(lt + 1, gt).trim(),
      params: parseParams(v.slice(gt + 1)),
    };
  }
  const semi = v.indexOf(';');
  return semi < 0 ? { uri: v, params: {} } : { uri: v.slice(0, semi), params: parseParams(v.slice(semi)) };
}

export function formatNameAddr(n: NameAddr): string {
  const display = n.display ? `"${n.display.replace(/"/g, '')}" ` : '';
  return `${display}<${n.uri}>${formatParams(n.params)}`;
}

export function tagOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const t = parseNameAddr(value).params.tag;
  return t ?? undefined;
}

export interface SipUri {
  scheme: 'sip' | 'sips';
  user?: string;
  host: string;
  port?: number;
  params: Params;
}

export function parseSipUri(uri: string): SipUri {
  const m = /^(sips?):(?:([^@]*)@)?(\[[^\]]+\]|[^:;?]+)(?::(\d+))?([^?]*)/i.exec(uri.trim());
  if (!m) throw new Error(`not a sip: URI: ${JSON.stringify(uri.slice(0, 60))}`);
  return {
    scheme: m[1]!.toLowerCase() as 'sip' | 'sips',
    user: m[2] || undefined,
    host: m[3]!,
    port: m[4] ? Number(m[4]) : undefined,
    params: parseParams(m[5] ?? ''),
  };
}

export interface Via {
  transport: string;
  host: string;
  port?: number;
  params: Params;
}

export function parseVia(value: string): Via {
  const m = /^SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z]+)\s+(\[[^\]]+\]|[^:;\s]+)(?:\s*:\s*(\d+))?\s*(.*)$/i.exec(
    value.trim(),
  );
  if (!m) throw new Error(`bad Via: ${JSON.stringify(value.slice(0, 60))}`);
  return {
    transport: m[1]!.toUpperCase(),
    host: m[2]!,
    port: m[3] ? Number(m[3]) : undefined,
    params: parseParams(m[4] ?? ''),
  };
}

export function formatVia(v: Via): string {
  return `SIP/2.0/${v.transport} ${v.host}${v.port ? `:${v.port}` : ''}${formatParams(v.params)}`;
}

export interface CSeq {
  seq: number;
  method: string;
}

export function parseCSeq(value: string): CSeq {
  const [n, m] = value.trim().split(/\s+/);
  return { seq: Number(n), method: (m ?? '').toUpperCase() };
}

/** `Digest realm="x", nonce="y", qop="auth"` -> {scheme, params}. */
export function parseChallenge(value: string): { scheme: string; params: Record<string, string> } {
  const v = value.trim();
  const sp = v.indexOf(' ');
  const scheme = sp < 0 ? v : v.slice(0, sp);
  const params: Record<string, string> = {};
  const re = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]+))/g;
  for (const m of (sp < 0 ? '' : v.slice(sp + 1)).matchAll(re))
    params[m[1]!.toLowerCase()] = m[2] ?? m[3] ?? '';
  return { scheme, params };
}
