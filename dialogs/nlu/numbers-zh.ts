/**
 * Chinese numerals over single-character tokens: 零 一 二 两 三 … 十 百 千 万 亿, with the usual
 * spoken forms: 十二, 二十, 一百零五, 两千三 (= 2300), 一百五 (= 150), 三万五 (= 35000); runs of bare
 * digits (二零二六) read digit by digit; Arabic digits; ordinals 第一, 第二个.
 */
import type { NumberSpan } from './numbers-en.ts';

export const ZH_DIGITS: Record<string, number> = {
  零: 0,
  〇: 0,
  一: 1,
  二: 2,
  两: 2,
  俩: 2,
  仨: 3,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};

const SMALL_UNITS: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };
const BIG_UNITS: Record<string, number> = { 万: 1e4, 亿: 1e8 };

/** Words that start with a numeral character but are not numbers ("一起" together, "十分" very). */
const NOT_NUMBERS = [
  '一起',
  '一下',
  '一些',
  '一样',
  '一定',
  '一直',
  '一般',
  '一切',
  '一边',
  '一会',
  '一共',
  '万一',
  '十分',
  '千万',
  '百分',
  '一点点',
  '一点',
  '一遍',
  '一次',
];

export function isZhNumeral(t: string | undefined): boolean {
  return t !== undefined && (t in ZH_DIGITS || t in SMALL_UNITS || t in BIG_UNITS);
}

function startsNonNumberWord(tokens: readonly string[], i: number): boolean {
  for (const w of NOT_NUMBERS) {
    let ok = true;
    for (let k = 0; k < w.length; k++) {
      if (tokens[i + k] !== w[k]) {
        ok = false;
        break;
      }
    }
    if (ok) return true;
  }
  return false;
}

/** Value of a run of numeral characters, or undefined when the run is malformed. */
export function zhNumeralValue(chars: readonly string[]): number | undefined {
  if (chars.length === 0) return undefined;
  const hasUnit = chars.some((c) => c in SMALL_UNITS || c in BIG_UNITS);
  if (!hasUnit) {
    if (chars.length === 1) return ZH_DIGITS[chars[0]!];
    // 两三个, 五六斤: two neighbouring digits are an estimate ("two or three"), not 23.
    if (chars.length === 2 && ZH_DIGITS[chars[1]!] === ZH_DIGITS[chars[0]!]! + 1) return undefined;
    // 二零二六, 幺 is handled by the digits parser: here only plain digit runs.
    let v = 0;
    for (const c of chars) v = v * 10 + ZH_DIGITS[c]!;
    return v;
  }
  let total = 0; // completed 亿/万 groups
  let section = 0; // value below 10000 being built
  let pending: number | undefined; // digit waiting for its unit
  let lastUnit = 0; // the last unit seen (10, 100, 1000, 1e4, 1e8), for 两千三 = 2300
  let sawZero = false;
  for (const c of chars) {
    const d = ZH_DIGITS[c];
    if (d !== undefined) {
      if (pending !== undefined && d !== 0) return undefined; // 三四百 is an estimate, not a number
      if (d === 0) {
        sawZero = true;
        continue;
      }
      pending = d;
      continue;
    }
    const small = SMALL_UNITS[c];
    if (small !== undefined) {
      if (pending === undefined) {
        // 十 alone or at the start (十二); 百/千 without a digit is not a number
        if (small !== 10) return undefined;
        pending = 1;
      }
      section += pending * small;
      pending = undefined;
      lastUnit = small;
      sawZero = false;
      continue;
    }
    const big = BIG_UNITS[c]!;
    if (pending !== undefined) section += pending;
    if (section === 0) return undefined;
    total += section * big;
    section = 0;
    pending = undefined;
    lastUnit = big;
    sawZero = false;
  }
  if (pending !== undefined) {
    // 两千三 = 2300, 一百五 = 150, 三万五 = 35000: a trailing digit right after a unit (no 零)
    // stands for the next smaller place.
    if (!sawZero && lastUnit >= 100) section += pending * (lastUnit / 10);
    else section += pending;
  }
  return total + section;
}

/** The longest Chinese (or Arabic) number starting at token `i`. */
export function parseZhNumberAt(tokens: readonly string[], i: number): NumberSpan | undefined {
  const t = tokens[i];
  if (t === undefined) return undefined;
  if (/^\d+(?:\.\d+)?$/.test(t)) return { value: Number(t), start: i, end: i + 1 };
  if (!isZhNumeral(t) || startsNonNumberWord(tokens, i)) return undefined;
  let j = i;
  while (j < tokens.length && isZhNumeral(tokens[j])) j++;
  // Shrink from the right until the run is well formed (e.g. "三四百" is refused whole).
  const whole = tokens.slice(i, j);
  if (whole.length === 2 && ZH_DIGITS[whole[1]!] === ZH_DIGITS[whole[0]!]! + 1) return undefined;
  for (let end = j; end > i; end--) {
    const v = zhNumeralValue(tokens.slice(i, end));
    if (v !== undefined) return { value: v, start: i, end };
  }
  return undefined;
}

/** 第一, 第二个, 第十二: returns the ordinal value. */
export function parseZhOrdinalAt(tokens: readonly string[], i: number): NumberSpan | undefined {
  if (tokens[i] !== '第') return undefined;
  const n = parseZhNumberAt(tokens, i + 1);
  if (!n) return undefined;
  return { value: n.value, start: i, end: n.end };
}
