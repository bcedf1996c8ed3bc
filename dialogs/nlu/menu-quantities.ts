/**
 * Which quantity belongs to which item mention in an order: before it ("two large pizzas",
 * "两大碗牛肉面"), after it ("饺子来两份", "pizza times two"), "a"/"another" = 1, number
 * sound-alikes before a plural ("to pizzas"), and corrections ("two cokes, no, three cokes").
 */
import { enUnitOf, parseQuantityAt, type QuantitySpan, ZH_MEASURES } from './quantity.ts';

/** Words allowed between a quantity and its item: "two large pizzas", "两大碗牛肉面", "一瓶冰的可乐". */
const MODIFIERS = new Set(
  [
    'large',
    'small',
    'medium',
    'big',
    'regular',
    'extra',
    'more',
    'of',
    'hot',
    'cold',
    'iced',
    'fresh',
    'the',
  ].concat([...'大小中冰热的份']),
);

/** Sound-alikes of numbers that recognisers put before plural items ("to pizzas"). */
const SOUNDALIKE_QTY: Record<string, number> = { to: 2, too: 2, tow: 2, for: 4, won: 1 };

export type Qty = { value: number; unit?: string; start: number; guess?: boolean };

export function quantityBefore(
  tokens: readonly string[],
  itemStart: number,
  itemEnd: number,
  floor: number,
  stems: readonly string[],
  used: ReadonlySet<number>,
): Qty | undefined {
  // Walk left over modifiers and unit words, remembering the unit.
  let j = itemStart;
  let unit: string | undefined;
  while (j > floor) {
    const t = tokens[j - 1]!;
    if (MODIFIERS.has(t)) {
      j--;
      continue;
    }
    const u = enUnitOf(t) ?? (ZH_MEASURES.has(t) && t !== '打' ? t : undefined);
    if (u !== undefined && unit === undefined) {
      unit = u;
      j--;
      continue;
    }
    break;
  }
  // Find a quantity that ends exactly at j (or at the unit we walked over).
  for (let s = Math.max(floor, j - 6); s < itemStart; s++) {
    const q: QuantitySpan | undefined = parseQuantityAt(tokens, s);
    if (!q || q.start !== s || used.has(s)) continue;
    if (q.end === j || (q.end > j && q.end <= itemStart && gapIsModifiers(tokens, q.end, itemStart))) {
      const u = q.unit ?? unit;
      return u === undefined ? { value: q.value, start: s } : { value: q.value, unit: u, start: s };
    }
  }
  const before = tokens[j - 1];
  if (j - 1 >= floor && before !== undefined) {
    if (before === 'a' || before === 'an' || before === 'another') {
      return unit === undefined ? { value: 1, start: j - 1 } : { value: 1, unit, start: j - 1 };
    }
    const like = SOUNDALIKE_QTY[before];
    // Only before a plural ("to pizzas"): "I want to order" stays words.
    const plural = stems[itemEnd - 1] !== tokens[itemEnd - 1];
    if (like !== undefined && plural && j === itemStart) return { value: like, start: j - 1, guess: true };
  }
  return undefined;
}

function gapIsModifiers(tokens: readonly string[], from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const t = tokens[i]!;
    if (!MODIFIERS.has(t) && enUnitOf(t) === undefined && !ZH_MEASURES.has(t)) return false;
  }
  return true;
}

const AFTER_SKIP = new Set(['来', '要', '给', 'times', 'x', '×', 'please']);

export function quantityAfter(
  tokens: readonly string[],
  itemEnd: number,
  ceiling: number,
  nextEnd: number,
  used: Set<number>,
): Qty | undefined {
  let j = itemEnd;
  while (j < ceiling && AFTER_SKIP.has(tokens[j]!)) j++;
  if (j >= ceiling || used.has(j)) return undefined;
  const q = parseQuantityAt(tokens, j);
  if (!q) return undefined;
  // A quantity followed directly by the next item belongs to that item, unless the caller puts
  // quantities after items ("宫保鸡丁两份可乐一瓶"): then the next item has its own after it.
  if (q.end === ceiling && ceiling < tokens.length) {
    let k = nextEnd;
    while (k < tokens.length && AFTER_SKIP.has(tokens[k]!)) k++;
    if (!parseQuantityAt(tokens, k)) return undefined;
  }
  used.add(j);
  return q.unit === undefined ? { value: q.value, start: j } : { value: q.value, unit: q.unit, start: j };
}

const CORRECTIONS = new Set([
  'no',
  'sorry',
  'actually',
  'mean',
  'make',
  'change',
  'instead',
  '不',
  '改',
  '换',
]);

export function hasCorrection(tokens: readonly string[], from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (CORRECTIONS.has(tokens[i]!)) return true;
  return false;
}
