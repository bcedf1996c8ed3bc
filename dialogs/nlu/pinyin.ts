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

function fold(syllable: string): string {
  return syllable
    .replace(/^(zh|ch|sh)/, (m) => m[0]!)
    .replace(/^l/, 'n')
    .replace(/(ang|eng|ing)$/, (m) => m.slice(0, -1));
}

function foldAspiration(syllable: string): string {
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
