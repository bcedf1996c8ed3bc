/**
 * Text normalisation shared by every NLU extractor: full-width to half-width (NFKC), lower case,
 * punctuation dropped (except inside numbers: 3:30, 2.5, 1,200), contractions joined
 * ("that's" -> "thats"), whitespace collapsed. Chinese has no spaces, so every Han character is
 * its own token; words are found later by longest match against known phrases (lexicon.ts).
 */

export interface Normalized {
  /** The caller's words as received (personal data: log only under `pii`). */
  original: string;
  /** Normalised text: tokens joined by one space, except Han characters, which are joined as written. */
  text: string;
  /** Latin words, digit runs (with `:`/`.` inside) and single Han characters, in order. */
  tokens: string[];
}

const HAN = /^[\p{Script=Han}〇]$/u;
const TOKEN = /[\p{Script=Han}〇]|[\p{L}\p{M}]+|\d+(?:[.:]\d+)?/gu;

export function isHan(token: string): boolean {
  return HAN.test(token);
}

/** Lower-cases, folds width and strips punctuation; returns the text and its tokens. */
export function normalize(original: string): Normalized {
  let s = original.normalize('NFKC').toLowerCase();
  s = s.replace(/[\u2018\u2019\u02bc`´]/g, "'");
  // Join contractions and possessives: that's -> thats, don't -> dont.
  s = s.replace(/(\p{L})'(\p{L})/gu, '$1$2');
  // Thousands separators inside numbers: 1,200 -> 1200 (only groups of exactly three digits).
  s = s.replace(/(\d),(?=\d{3}(?!\d))/g, '$1');
  const tokens = s.match(TOKEN) ?? [];
  return { original, text: joinTokens(tokens), tokens };
}

/** Joins tokens the way `normalize` does: no space between two Han characters. */
export function joinTokens(tokens: readonly string[]): string {
  let out = '';
  let prevHan = false;
  for (const t of tokens) {
    const han = isHan(t);
    if (out !== '' && !(han && prevHan)) out += ' ';
    out += t;
    prevHan = han;
  }
  return out;
}

/** Tokens of a lexicon phrase, normalised exactly like caller text. */
export function phraseTokens(phrase: string): string[] {
  return normalize(phrase).tokens;
}

/**
 * Splits Chinese text into known words by forward maximum matching, falling back to single
 * characters; Latin words and numbers stay whole. Used for readable segmentation in logs and by
 * callers that want word-level tokens.
 */
export function segment(tokens: readonly string[], knownWords: ReadonlySet<string>, maxLen = 6): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < tokens.length) {
    const first = tokens[i]!;
    if (!isHan(first)) {
      out.push(first);
      i++;
      continue;
    }
    let taken = 1;
    for (let len = Math.min(maxLen, tokens.length - i); len > 1; len--) {
      const slice = tokens.slice(i, i + len);
      if (!slice.every(isHan)) continue;
      if (knownWords.has(slice.join(''))) {
        taken = len;
        break;
      }
    }
    out.push(tokens.slice(i, i + taken).join(''));
    i += taken;
  }
  return out;
}
