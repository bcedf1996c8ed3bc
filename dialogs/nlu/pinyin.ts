/**
 * Toneless pinyin for Han text, and a syllable distance that forgives what recognisers and
 * regional accents confuse (zh/z, ch/c, sh/s, n/l, an/ang, en/eng, in/ing; d/t, b/p, g/k).
 * Pinyin comes from the `pinyin-pro` package (offline dictionary, no network).
 */
import { pinyin } from 'pinyin-pro';

/** One toneless syllable per Han character of `han` (which must be Han characters only). */
export function toPinyin(han: string): string[] {
  if (han === '') return [];
  return pinyin(han, { toneType: 'none', type: 'array', v: true }).map((s) => s.toLowerCase());
}

const readingsCache = new Map<string, string[]>();

/** Every toneless reading of one Han character (了: le, liao), so polyphones still match. */
export function readings(char: string): string[] {
  let r = readingsCache.get(char);
  if (!r) {
    r = [...new Set(pinyin(char, { multiple: true, toneType: 'none', type: 'array', v: true }))];
    readingsCache.set(char, r);
  }
  return r;
}

export function fold(syllable: string): string {
  return syllable
    .replace(/^(zh|ch|sh)/, (m) => m[0]!)
    .replace(/^l/, 'n')
    .replace(/v/g, 'u')
    .replace(/(ang|eng|ing)$/, (m) => m.slice(0, -1));
}

export function foldAspiration(syllable: string): string {
  return fold(syllable).replace(/^[dt]/, 'd').replace(/^[bp]/, 'b').replace(/^[gk]/, 'g');
}

/** Substitution cost between two syllables: 0 same, 0.25 accent-level, 0.4 aspiration, 1 other. */
export function syllableCost(a: string, b: string): number {
  if (a === b) return 0;
  const fa = fold(a);
  const fb = fold(b);
  if (fa === fb) return 0.25;
  if (foldAspiration(a) === foldAspiration(b)) return 0.4;
  return 1;
}

/** Cost of a caller character (its contextual reading plus all readings) against an alias syllable. */
export function tokenSyllableCost(token: readonly string[], syllable: string): number {
  let best = 1;
  for (const r of token) {
    const c = syllableCost(r, syllable);
    if (c < best) best = c;
    if (best === 0) break;
  }
  return best;
}

interface VocabWord {
  chars: string[];
  syllables: string[];
}

/** Known Han words (e.g. intent phrases) to restore when a recogniser wrote a homophone. */
export class PinyinVocabulary {
  private readonly byFirst = new Map<string, VocabWord[]>();

  constructor(words: Iterable<string>) {
    for (const w of words) {
      const chars = [...w];
      if (chars.length < 2 || !chars.every((c) => /\p{Script=Han}/u.test(c))) continue;
      const syllables = toPinyin(w);
      const list = this.byFirst.get(syllables[0]!) ?? [];
      list.push({ chars, syllables });
      this.byFirst.set(syllables[0]!, list);
    }
    for (const list of this.byFirst.values()) list.sort((a, b) => b.chars.length - a.chars.length);
  }

  /**
   * Replaces homophones of known words ("转人公" -> 转人工, "在说一遍" -> 再说一遍, "名天" -> 明天).
   * A window is respelled only when every character can be read as the word's syllable and at
   * least half of its characters are already right, so unrelated words are left alone.
   */
  respell(tokens: readonly string[]): { tokens: string[]; changed: number } {
    const out = [...tokens];
    let changed = 0;
    let i = 0;
    while (i < out.length) {
      const first = out[i]!;
      let done = false;
      for (const r of /\p{Script=Han}/u.test(first) ? readings(first) : []) {
        for (const w of this.byFirst.get(r) ?? []) {
          if (i + w.chars.length > out.length) continue;
          let same = 0;
          let ok = true;
          for (let k = 0; k < w.chars.length && ok; k++) {
            const t = out[i + k]!;
            if (t === w.chars[k]) same++;
            else if (!/\p{Script=Han}/u.test(t) || !readings(t).includes(w.syllables[k]!)) ok = false;
          }
          if (!ok || same * 2 < w.chars.length) continue;
          if (same < w.chars.length) {
            for (let k = 0; k < w.chars.length; k++) out[i + k] = w.chars[k]!;
            changed++;
          }
          i += w.chars.length;
          done = true;
          break;
        }
        if (done) break;
      }
      if (!done) i++;
    }
    return { tokens: out, changed };
  }
}

/** A syllable (or every reading of a character) pre-folded for fast cost lookups. */
export interface SyllableForms {
  plain: ReadonlySet<string>;
  folded: ReadonlySet<string>;
  aspirated: ReadonlySet<string>;
}

export function syllableForms(syllables: readonly string[]): SyllableForms {
  return {
    plain: new Set(syllables),
    folded: new Set(syllables.map(fold)),
    aspirated: new Set(syllables.map(foldAspiration)),
  };
}

/** Same costs as syllableCost, for a caller character's readings against one alias syllable. */
export function formsCost(
  heard: SyllableForms,
  alias: { plain: string; folded: string; aspirated: string },
): number {
  if (heard.plain.has(alias.plain)) return 0;
  if (heard.folded.has(alias.folded)) return 0.25;
  if (heard.aspirated.has(alias.aspirated)) return 0.4;
  return 1;
}
