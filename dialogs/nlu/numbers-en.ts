/**
 * English cardinal and ordinal numbers over normalised tokens: "twenty-one", "one hundred and
 * five", "two thousand three hundred", "a dozen", "half a dozen", "a couple", "two and a half",
 * digits ("12", "2.5"), "5 thousand"; ordinals "first", "twenty-first", "2nd".
 */

export interface NumberSpan {
  value: number;
  start: number;
  /** Exclusive end token index. */
  end: number;
}

const UNITS: Record<string, number> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
};

const TENS: Record<string, number> = {
  twenty: 20,
  thirty: 30,
  forty: 40,
  fourty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};

const SCALES: Record<string, number> = { thousand: 1e3, million: 1e6, billion: 1e9 };

/** English ordinal words -> value ("first" .. "hundredth"); also read by the date parser. */
export const ORDINAL_UNITS: Record<string, number> = {
  first: 1,
  second: 2,
  third: 3,
  fourth: 4,
  fifth: 5,
  sixth: 6,
  seventh: 7,
  eighth: 8,
  ninth: 9,
  tenth: 10,
  eleventh: 11,
  twelfth: 12,
  thirteenth: 13,
  fourteenth: 14,
  fifteenth: 15,
  sixteenth: 16,
  seventeenth: 17,
  eighteenth: 18,
  nineteenth: 19,
  twentieth: 20,
  thirtieth: 30,
  fortieth: 40,
  fiftieth: 50,
  sixtieth: 60,
  seventieth: 70,
  eightieth: 80,
  ninetieth: 90,
  hundredth: 100,
};

/** Words that a number may start with (used by callers to skip quickly). */
export function isEnNumberWord(t: string): boolean {
  return t in UNITS || t in TENS || t === 'hundred' || t in SCALES || t === 'dozen';
}

function isNumeric(t: string | undefined): boolean {
  return t !== undefined && /^\d+(?:\.\d+)?$/.test(t);
}

/** "a"/"an" counts as one only before these words ("a hundred", "a dozen", "a couple"). */
const A_BEFORE = new Set(['hundred', 'thousand', 'million', 'dozen', 'couple', 'pair', 'half']);

/** Parses the longest English cardinal starting at token `i`. */
export function parseEnNumberAt(tokens: readonly string[], i: number): NumberSpan | undefined {
  let j = i;
  let total = 0;
  let current = 0;
  let any = false;
  // last: what the previous token was, to refuse "five five" (two numbers) and "twenty thirty".
  let last: 'none' | 'digit' | 'unit' | 'tens' | 'hundred' | 'scale' = 'none';

  const first = tokens[i];
  if ((first === 'a' || first === 'an') && A_BEFORE.has(tokens[i + 1] ?? '')) {
    const next = tokens[i + 1]!;
    if (next === 'couple' || next === 'pair') {
      return { value: 2, start: i, end: skipOf(tokens, i + 2) };
    }
    if (next === 'half') {
      // "a half" = 0.5; "a half dozen" = 6
      if (tokens[i + 2] === 'dozen') return { value: 6, start: i, end: skipOf(tokens, i + 3) };
      return { value: 0.5, start: i, end: i + 2 };
    }
    current = 1;
    any = true;
    last = 'unit';
    j = i + 1;
  } else if (first === 'half' && (tokens[i + 1] === 'a' || tokens[i + 1] === 'an')) {
    if (tokens[i + 2] === 'dozen') return { value: 6, start: i, end: skipOf(tokens, i + 3) };
    return undefined;
  }

  for (; j < tokens.length; j++) {
    const t = tokens[j]!;
    if (isNumeric(t)) {
      if (last !== 'none') break;
      current = Number(t);
      any = true;
      last = 'digit';
      continue;
    }
    const u = UNITS[t];
    if (u !== undefined) {
      if (last === 'digit' || last === 'unit') break;
      if (last === 'tens' && (u === 0 || u >= 10)) break;
      current += u;
      any = true;
      last = 'unit';
      continue;
    }
    const tens = TENS[t];
    if (tens !== undefined) {
      if (last === 'digit' || last === 'unit' || last === 'tens') break;
      current += tens;
      any = true;
      last = 'tens';
      continue;
    }
    if (t === 'hundred') {
      if ((last === 'digit' || last === 'unit' || last === 'tens') && current > 0 && current < 100) {
        current *= 100;
        last = 'hundred';
        continue;
      }
      break;
    }
    const scale = SCALES[t];
    if (scale !== undefined) {
      if (!any) break;
      total += (current || 1) * scale;
      current = 0;
      last = 'scale';
      continue;
    }
    if (t === 'dozen') {
      if (!any) break;
      current = (current || 1) * 12;
      last = 'scale';
      j++;
      break;
    }
    if (t === 'and' && any) {
      // "two and a half"
      if (tokens[j + 1] === 'a' && tokens[j + 2] === 'half') {
        current += 0.5;
        j += 3;
        break;
      }
      // "one hundred and five", "two thousand and ten"
      const next = tokens[j + 1] ?? '';
      if ((last === 'hundred' || last === 'scale') && (next in UNITS || next in TENS)) continue;
      break;
    }
    break;
  }
  if (!any) return undefined;
  return { value: total + current, start: i, end: j };
}

function skipOf(tokens: readonly string[], j: number): number {
  return tokens[j] === 'of' ? j + 1 : j;
}

/** Parses an English ordinal at token `i`: "first", "twenty first", "twenty-first", "2nd", "the third". */
export function parseEnOrdinalAt(tokens: readonly string[], i: number): NumberSpan | undefined {
  const t = tokens[i];
  if (t === undefined) return undefined;
  if (isNumeric(t) && /^(st|nd|rd|th)$/.test(tokens[i + 1] ?? '')) {
    return { value: Number(t), start: i, end: i + 2 };
  }
  const direct = ORDINAL_UNITS[t];
  if (direct !== undefined) return { value: direct, start: i, end: i + 1 };
  const tens = TENS[t];
  if (tens !== undefined) {
    const u = ORDINAL_UNITS[tokens[i + 1] ?? ''];
    if (u !== undefined && u < 10) return { value: tens + u, start: i, end: i + 2 };
  }
  return undefined;
}
