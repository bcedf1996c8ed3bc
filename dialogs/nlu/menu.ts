/**
 * Finds catalog items and their quantities in an utterance: "two pizzas and a coke",
 * "我要两份饺子和一瓶可乐", "饺子来两份". Names and synonyms are matched on normalised tokens,
 * exactly first, then fuzzily to survive recognition errors: for Latin text by edit distance
 * and an English phonetic key ("piza", "koke", "coca cola"), for Han text by toneless pinyin
 * ("交子" -> 饺子, "可了" -> 可乐). Returns ranked candidates with scores for each mention.
 */
import type { Catalog } from './catalog.ts';
import { hasCorrection, quantityAfter, quantityBefore } from './menu-quantities.ts';
import { isHan } from './normalize.ts';
import { isEnNumberWord } from './numbers-en.ts';
import { isZhNumeral } from './numbers-zh.ts';
import { levenshtein, phoneticKey, similarity, stemEn } from './phonetic.ts';
import {
  fold,
  foldAspiration,
  formsCost,
  readings,
  type SyllableForms,
  syllableForms,
  toPinyin,
} from './pinyin.ts';
import { enUnitOf, ZH_MEASURES } from './quantity.ts';
import type { NluLanguage, OrderLine } from './types.ts';

/** Below this score a fuzzy match is not reported. */
export const MATCH_THRESHOLD = 0.7;

interface Alias {
  itemId: string;
  han: boolean;
  /** Latin: stemmed words joined by one space. Han: the characters. */
  form: string;
  /** Number of tokens the alias spans. */
  length: number;
  /** Latin: the form without spaces, its phonetic key and first word. */
  joined: string;
  key: string;
  firstWord: string;
  /** Han: one entry per syllable, pre-folded. */
  syllables: { plain: string; folded: string; aspirated: string }[];
}

interface CompiledCatalog {
  aliases: Alias[];
  maxLength: number;
  /** Aliases by script and token count (`h3` = three Han characters, `l2` = two words). */
  byShape: Map<string, Alias[]>;
}

const compiled = new WeakMap<Catalog, CompiledCatalog>();

function compile(catalog: Catalog): CompiledCatalog {
  const hit = compiled.get(catalog);
  if (hit) return hit;
  const aliases: Alias[] = [];
  for (const item of catalog.items) {
    const all = new Set<string>();
    for (const lang of ['en-US', 'zh-CN'] as const) {
      all.add(item.names[lang]);
      for (const s of item.synonyms[lang]) all.add(s);
    }
    for (const text of all) {
      const tokens = tokenize(text);
      if (tokens.length === 0) continue;
      const han = tokens.every(isHan);
      const form = han ? tokens.join('') : tokens.join(' ');
      aliases.push({
        itemId: item.id,
        han,
        form,
        length: tokens.length,
        joined: han ? form : tokens.join(''),
        key: han ? '' : tokens.map(phoneticKey).join(''),
        firstWord: tokens[0]!,
        syllables: (han ? toPinyin(form) : []).map((p) => ({
          plain: p,
          folded: fold(p),
          aspirated: foldAspiration(p),
        })),
      });
    }
  }
  const byShape = new Map<string, Alias[]>();
  for (const a of aliases) {
    const shape = `${a.han ? 'h' : 'l'}${a.length}`;
    byShape.set(shape, [...(byShape.get(shape) ?? []), a]);
  }
  const result = { aliases, maxLength: Math.max(...aliases.map((a) => a.length)), byShape };
  compiled.set(catalog, result);
  return result;
}

const TOKEN = /[\p{Script=Han}〇]|[\p{L}\p{M}]+|\d+/gu;
function tokenize(text: string): string[] {
  const s = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/(\p{L})['’](\p{L})/gu, '$1$2');
  return (s.match(TOKEN) ?? []).map((t) => (isHan(t) ? t : stemEn(t)));
}

/** Tokens that never begin or end a fuzzy item mention. */
const STOP = new Set(
  (
    'a an the and or i id want wanna would like please some of to too for with me my get have can could give ' +
    'also plus more another order one yes no also then just that this it is be us we you add need take ' +
    'me both all any x times'
  ).split(' '),
);
const ZH_STOP = new Set([...'我要和跟还再来的了吧请给加也想点就是一个份啊呢吗嗯那这', '与', '及']);

function isStop(t: string): boolean {
  return (
    STOP.has(t) ||
    enUnitOf(t) !== undefined ||
    ZH_STOP.has(t) ||
    isEnNumberWord(t) ||
    isZhNumeral(t) ||
    ZH_MEASURES.has(t) ||
    /^\d/.test(t)
  );
}

interface Match {
  itemId: string;
  start: number;
  end: number;
  score: number;
}

function scoreLatin(window: string, joined: string, key: string, alias: Alias): number {
  if (window === alias.form) return 1;
  if (joined === alias.joined) return 0.98;
  // Recognisers rarely change the first sound of a word: compare only names starting alike.
  if (key[0] !== alias.key[0] && joined[0] !== alias.joined[0]) return 0;
  // Cheap bound first: very different lengths cannot reach the threshold.
  const n = Math.max(joined.length, alias.joined.length);
  if (0.5 * (1 - Math.abs(joined.length - alias.joined.length) / n) + 0.5 < MATCH_THRESHOLD) return 0;
  const phon = key === '' || alias.key === '' ? 0 : similarity(key, alias.key);
  return Math.min(0.95, 0.5 * similarity(joined, alias.joined) + 0.5 * phon);
}

function scoreHan(chars: string, heard: readonly SyllableForms[], alias: Alias): number {
  if (chars === alias.form) return 1;
  const n = alias.syllables.length;
  if (heard.length === n) {
    // Same length: at most one unrelated syllable in four can still reach the threshold.
    let far = 0;
    for (let k = 0; k < n; k++) if (formsCost(heard[k]!, alias.syllables[k]!) > 0.4) far++;
    if (far > (n >= 4 ? 1 : 0)) return 0;
  } else {
    // One character more or less: all but one of the name's syllables must be heard somewhere.
    let found = 0;
    for (const syl of alias.syllables) if (heard.some((h) => formsCost(h, syl) <= 0.4)) found++;
    if (found < n - 1) return 0;
  }
  const d = levenshtein<SyllableForms | Alias['syllables'][number]>(heard, alias.syllables, (x, y) =>
    formsCost(x as SyllableForms, y as Alias['syllables'][number]),
  );
  // The same characters always share a reading, so pinyin similarity bounds character similarity.
  return 0.92 * (1 - d / Math.max(heard.length, n));
}

/** Every (span, item) pair scoring at or above the threshold. */
function findMatches(
  tokens: readonly string[],
  stems: readonly string[],
  forms: readonly SyllableForms[],
  cat: CompiledCatalog,
): Match[] {
  const out: Match[] = [];
  const keys = stems.map((t) => (isHan(t) ? '' : phoneticKey(t)));
  for (let i = 0; i < tokens.length; i++) {
    for (let len = 1; len <= cat.maxLength + 1 && i + len <= tokens.length; len++) {
      const slice = tokens.slice(i, i + len);
      const han = slice.every(isHan);
      if (!han && slice.some(isHan)) break;
      // Han function characters only block the start ("我要", "来"); "可了" (可乐 misheard) ends in one.
      const fuzzyOk = !isStop(tokens[i]!) && (han || !isStop(tokens[i + len - 1]!));
      const chars = han ? slice.join('') : '';
      const words = han ? [] : stems.slice(i, i + len);
      const window = words.join(' ');
      const joined = words.join('');
      const key = han ? '' : keys.slice(i, i + len).join('');
      const heard = han ? forms.slice(i, i + len) : [];
      const script = han ? 'h' : 'l';
      const near = [len - 1, len, len + 1].flatMap((n) => cat.byShape.get(`${script}${n}`) ?? []);
      for (const alias of near) {
        const exact = han ? chars === alias.form : window === alias.form;
        if (!exact) {
          // A stop word may start a fuzzy mention only when the name itself starts with it (包子).
          const sameStart = han ? chars[0] === alias.form[0] : stems[i] === alias.firstWord;
          if (!fuzzyOk && !sameStart) continue;
          if (han && alias.length !== len && alias.length < 3) continue;
          // One character (粥) or a short word (oj) is matched exactly or not at all.
          if (han ? alias.length < 2 : alias.joined.length < 4) continue;
        }
        const score = exact
          ? 1
          : han
            ? scoreHan(chars, heard, alias)
            : scoreLatin(window, joined, key, alias);
        if (score >= MATCH_THRESHOLD) out.push({ itemId: alias.itemId, start: i, end: i + len, score });
      }
    }
  }
  return out;
}

/** Reads the order lines (items with quantities) in the tokens. */
export function parseMenu(tokens: readonly string[], catalog: Catalog, language: NluLanguage): OrderLine[] {
  const cat = compile(catalog);
  const stems = tokens.map((t) => (isHan(t) ? t : stemEn(t)));
  const matches = findMatches(tokens, stems, hanPinyin(tokens).map(syllableForms), cat);
  // Best score first; on a tie the longer span ("fried rice" over "rice").
  matches.sort((a, b) => b.score - a.score || b.end - b.start - (a.end - a.start) || a.start - b.start);
  const taken = new Uint8Array(tokens.length);
  const chosen: Match[] = [];
  for (const m of matches) {
    if (taken.subarray(m.start, m.end).some((x) => x === 1)) continue;
    if (
      chosen.some(
        (c) => c.itemId === m.itemId && c.score === 1 && m.score < 1 && Math.abs(c.start - m.start) <= 1,
      )
    )
      continue;
    taken.fill(1, m.start, m.end);
    chosen.push(m);
  }
  // "three steam buns": "buns" matched exactly, "steam buns" fuzzily: take the longer mention.
  for (const c of chosen) {
    for (const o of matches) {
      if (o.end !== c.end || o.itemId !== c.itemId || o.start >= c.start) continue;
      if (taken.subarray(o.start, c.start).some((x) => x === 1)) continue;
      taken.fill(1, o.start, c.start);
      c.start = o.start;
    }
  }
  chosen.sort((a, b) => a.start - b.start);

  // "two cokes, no, three cokes" / "两瓶可乐，不对，三瓶可乐": a correction replaces the line before.
  for (let k = chosen.length - 1; k > 0; k--) {
    const a = chosen[k - 1]!;
    const b = chosen[k]!;
    if (a.itemId === b.itemId && hasCorrection(tokens, a.end, b.start)) chosen.splice(k - 1, 1);
  }

  const usedQty = new Set<number>();
  const lines: OrderLine[] = [];
  for (let k = 0; k < chosen.length; k++) {
    const m = chosen[k]!;
    const prevEnd = k > 0 ? chosen[k - 1]!.end : 0;
    let q = quantityBefore(tokens, m.start, m.end, prevEnd, stems, usedQty);
    if (q) usedQty.add(q.start);
    else {
      const nextStart = k + 1 < chosen.length ? chosen[k + 1]!.start : tokens.length;
      const nextEnd = k + 1 < chosen.length ? chosen[k + 1]!.end : tokens.length;
      q = quantityAfter(tokens, m.end, nextStart, nextEnd, usedQty);
    }
    // "zero pizzas" orders nothing.
    if (q?.value === 0) continue;
    const item = catalog.items.find((i) => i.id === m.itemId)!;
    const candidates = rankAlternatives(matches, m);
    const line: OrderLine = {
      itemId: m.itemId,
      name: item.names[language],
      quantity: q !== undefined && Number.isFinite(q.value) ? q.value : 1,
      score: round(m.score * (q?.guess ? 0.9 : 1)),
      candidates,
    };
    if (q?.unit !== undefined) line.unit = q.unit;
    lines.push(line);
  }
  return lines;
}

function rankAlternatives(matches: readonly Match[], m: Match) {
  const best = new Map<string, number>();
  for (const o of matches) {
    if (o.itemId === m.itemId || o.end <= m.start || o.start >= m.end) continue;
    if (o.score < m.score - 0.2) continue;
    best.set(o.itemId, Math.max(best.get(o.itemId) ?? 0, o.score));
  }
  return [...best.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([itemId, score]) => ({ itemId, score: round(score) }));
}

/** Toneless readings per token (contextual first; [] for non-Han tokens), computed per Han run. */
function hanPinyin(tokens: readonly string[]): string[][] {
  const out: string[][] = tokens.map(() => []);
  let i = 0;
  while (i < tokens.length) {
    if (!isHan(tokens[i]!)) {
      i++;
      continue;
    }
    let j = i;
    while (j < tokens.length && isHan(tokens[j]!)) j++;
    const syl = toPinyin(tokens.slice(i, j).join(''));
    for (let k = i; k < j; k++) {
      const contextual = syl[k - i];
      const all = readings(tokens[k]!);
      out[k] = contextual === undefined ? all : [contextual, ...all.filter((r) => r !== contextual)];
    }
    i = j;
  }
  return out;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
