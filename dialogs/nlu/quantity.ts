/**
 * Numbers with their measure word or unit, in either language and mixed text: "两份", "三个",
 * "一打" (= 12), "一个半" (= 1.5), "半斤", "two bottles of", "a dozen", "3 cans".
 */
import { parseEnNumberAt, parseEnOrdinalAt } from './numbers-en.ts';
import { isZhNumeral, parseZhNumberAt, parseZhOrdinalAt } from './numbers-zh.ts';

export interface QuantitySpan {
  value: number;
  unit?: string;
  start: number;
  end: number;
}

/** Chinese measure words (classifiers) accepted after a number. */
export const ZH_MEASURES = new Set([
  '份',
  '个',
  '瓶',
  '斤',
  '盒',
  '碗',
  '杯',
  '只',
  '条',
  '包',
  '听',
  '罐',
  '袋',
  '块',
  '串',
  '根',
  '把',
  '箱',
  '盘',
  '碟',
  '张',
  '颗',
  '支',
  '桶',
  '笼',
  '屉',
  '位',
  '套',
  '对',
  '双',
  '种',
  '样',
  '次',
  '件',
  '打',
]);

/** English unit nouns (singular and plural) accepted after a number, optionally followed by "of". */
const EN_UNITS: Record<string, string> = {};
for (const [sing, plural] of [
  ['bottle', 'bottles'],
  ['can', 'cans'],
  ['box', 'boxes'],
  ['pack', 'packs'],
  ['packet', 'packets'],
  ['bag', 'bags'],
  ['bowl', 'bowls'],
  ['cup', 'cups'],
  ['glass', 'glasses'],
  ['piece', 'pieces'],
  ['slice', 'slices'],
  ['pound', 'pounds'],
  ['lb', 'lbs'],
  ['kilo', 'kilos'],
  ['kg', 'kgs'],
  ['order', 'orders'],
  ['plate', 'plates'],
  ['portion', 'portions'],
  ['serving', 'servings'],
  ['loaf', 'loaves'],
  ['bunch', 'bunches'],
  ['carton', 'cartons'],
  ['liter', 'liters'],
  ['litre', 'litres'],
  ['jar', 'jars'],
  ['tray', 'trays'],
] as const) {
  EN_UNITS[sing] = sing;
  EN_UNITS[plural] = sing;
}

export function enUnitOf(token: string | undefined): string | undefined {
  return token === undefined ? undefined : EN_UNITS[token];
}

/** A quantity (number + optional unit) starting at token `i`. */
export function parseQuantityAt(tokens: readonly string[], i: number): QuantitySpan | undefined {
  const t = tokens[i];
  if (t === undefined) return undefined;
  // 半斤, 半份: one half of a unit
  if (t === '半' && ZH_MEASURES.has(tokens[i + 1] ?? '')) {
    return { value: 0.5, unit: tokens[i + 1]!, start: i, end: i + 2 };
  }
  const zh = parseZhNumberAt(tokens, i);
  if (zh && !/^\d/.test(t)) return zhWithMeasure(tokens, zh.value, i, zh.end);
  const en = parseEnNumberAt(tokens, i);
  if (en) {
    // Arabic digits followed by a Chinese measure word: 3个, 2瓶
    if (ZH_MEASURES.has(tokens[en.end] ?? '')) return zhWithMeasure(tokens, en.value, i, en.end);
    let end = en.end;
    const unit = enUnitOf(tokens[end]);
    if (unit !== undefined) {
      end++;
      if (tokens[end] === 'of') end++;
    }
    return unit === undefined ? { value: en.value, start: i, end } : { value: en.value, unit, start: i, end };
  }
  return undefined;
}

function zhWithMeasure(
  tokens: readonly string[],
  value: number,
  start: number,
  numEnd: number,
): QuantitySpan {
  const m = tokens[numEnd];
  if (m === undefined || !ZH_MEASURES.has(m)) return { value, start, end: numEnd };
  let v = value;
  let end = numEnd + 1;
  if (m === '打') v *= 12;
  if (tokens[end] === '半') {
    v += m === '打' ? 6 : 0.5;
    end++;
  }
  return m === '打' ? { value: v, start, end } : { value: v, unit: m, start, end };
}

/** Every quantity in the tokens, left to right, non-overlapping. */
export function findQuantities(tokens: readonly string[]): QuantitySpan[] {
  const out: QuantitySpan[] = [];
  let i = 0;
  while (i < tokens.length) {
    // Ordinals are not quantities: skip "第二", "second", "2nd".
    const ord = parseOrdinalAt(tokens, i);
    if (ord) {
      i = tokens[ord.end] === 'one' || tokens[ord.end] === 'ones' ? ord.end + 1 : ord.end;
      continue;
    }
    const q = parseQuantityAt(tokens, i);
    if (q) {
      out.push(q);
      i = q.end;
    } else if (isZhNumeral(tokens[i])) {
      // A numeral run that is no number (两三个 "two or three") is skipped whole, not read as 三个.
      while (i < tokens.length && isZhNumeral(tokens[i])) i++;
    } else {
      i++;
    }
  }
  return out;
}

export function parseOrdinalAt(tokens: readonly string[], i: number) {
  return parseZhOrdinalAt(tokens, i) ?? parseEnOrdinalAt(tokens, i);
}

/** The first ordinal in the tokens ("the second one", "第三个"). */
export function findOrdinal(
  tokens: readonly string[],
): { value: number; start: number; end: number } | undefined {
  for (let i = 0; i < tokens.length; i++) {
    const o = parseOrdinalAt(tokens, i);
    if (o) return o;
  }
  return undefined;
}

/** Words a recogniser writes for a number said alone ("to" for two, "tree" for three). */
const NUMBER_SOUNDALIKES: Record<string, number> = {
  to: 2,
  too: 2,
  tow: 2,
  for: 4,
  fore: 4,
  won: 1,
  tree: 3,
  free: 3,
  ate: 8,
  sicks: 6,
  twenny: 20,
};

const ALONE_OK = new Set(['please', 'um', 'uh', 'just', 'thanks', 'ok', 'okay']);

/** A number heard as a sound-alike word, accepted only when it is all the caller said. */
export function soundalikeNumber(tokens: readonly string[]): number | undefined {
  const words = tokens.filter((t) => !ALONE_OK.has(t));
  if (words.length !== 1) return undefined;
  return NUMBER_SOUNDALIKES[words[0]!];
}
