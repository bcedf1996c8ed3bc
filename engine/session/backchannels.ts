/**
 * Backchannels: the short "I'm listening" noises callers make while the bot talks ("uh-huh",
 * "mm-hmm", "yeah", "嗯", "对对", "好的好的"). They must not stop a prompt. Pure and synchronous.
 */

const EN = new Set([
  'uh-huh',
  'uh',
  'huh',
  'uhhuh',
  'mm',
  'mmm',
  'hmm',
  'mm-hmm',
  'mhm',
  'mmhmm',
  'yeah',
  'yep',
  'ok',
  'okay',
  'aha',
  'ah',
  'oh',
  'i see',
]);

/** Mandarin backchannel syllables; a text made only of these (repeated) is a backchannel. */
const ZH = ['好的', '嗯', '对', '是', '哦', '啊', '行', '好', '呃', '唔'];

/** True when the whole text is backchannel (empty text is not: it carries no signal at all). */
export function isBackchannel(text: string): boolean {
  const t = text
    .toLowerCase()
    .replace(/[\s,.!?;:，。！？、…~]+/g, ' ')
    .trim();
  if (t === '') return false;
  if (/[\u4e00-\u9fff]/.test(t)) {
    let rest = t.replace(/\s+/g, '');
    while (rest.length > 0) {
      const hit = ZH.find((w) => rest.startsWith(w));
      if (!hit) return false;
      rest = rest.slice(hit.length);
    }
    return true;
  }
  if (EN.has(t)) return true;
  const words = t.split(' ');
  return words.length <= 3 && words.every((w) => EN.has(w));
}
