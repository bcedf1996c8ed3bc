/**
 * String similarity for matching recognised words to catalog names: Levenshtein distance, and an
 * English phonetic key (a small Metaphone-style code written for this project) so that spelling
 * slips an ASR makes ("koke", "piza", "berger") still land on the right item.
 */

let prevRow = new Float64Array(64);
let curRow = new Float64Array(64);

/** Levenshtein distance between two sequences (strings or arrays of syllables). */
export function levenshtein<T>(a: ArrayLike<T>, b: ArrayLike<T>, subCost?: (x: T, y: T) => number): number {
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  if (prevRow.length <= b.length) {
    prevRow = new Float64Array(b.length * 2 + 1);
    curRow = new Float64Array(b.length * 2 + 1);
  }
  let prev = prevRow;
  let cur = curRow;
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    const x = a[i - 1]!;
    for (let j = 1; j <= b.length; j++) {
      const y = b[j - 1]!;
      const sub = x === y ? 0 : subCost ? subCost(x, y) : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + sub);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

/** 1 - distance / longer length: 1 for equal strings, 0 for nothing in common. */
export function similarity(a: string, b: string): number {
  const n = Math.max(a.length, b.length);
  if (n === 0) return 1;
  return 1 - levenshtein(a, b) / n;
}

const VOWELS = new Set(['a', 'e', 'i', 'o', 'u']);

/**
 * A phonetic key for one English word: consonant classes after the usual spelling rules
 * (ph=f, ck=k, soft c/g, silent k/w/g/h, th, sh, ch), vowels collapsed to one `A` per run, no
 * doubled letters. Words that sound alike share a key: coke/koke, pizza/piza/peetza, burger/berger.
 */
export function phoneticKey(word: string): string {
  const w = word.toLowerCase().replace(/[^a-z]/g, '');
  if (w === '') return '';
  let s = w;
  s = s.replace(/^(kn|gn|pn|wr|ps)/, (m) => m[1]!);
  s = s.replace(/^x/, 's');
  s = s.replace(/mb$/, 'm');
  let out = '';
  const push = (c: string) => {
    if (out[out.length - 1] !== c) out += c;
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    const next = s[i + 1] ?? '';
    const prev = s[i - 1] ?? '';
    if (VOWELS.has(c) || (c === 'y' && !VOWELS.has(next))) {
      push('A');
      continue;
    }
    if (c === prev && c !== 'c') continue;
    switch (c) {
      case 'b':
        push('P');
        break;
      case 'c':
        if (next === 'h') {
          push('X');
          i++;
        } else if (next === 'k') {
          push('K');
          i++;
        } else if ('eiy'.includes(next)) push('S');
        else push('K');
        break;
      case 'd':
        if (next === 'g' && 'eiy'.includes(s[i + 2] ?? '')) {
          push('J');
          i++;
        } else push('T');
        break;
      case 'g':
        if (next === 'h') {
          i++;
          if (i + 1 >= s.length || !VOWELS.has(s[i + 1]!)) break; // silent gh: night, though
          push('K');
        } else if ('eiy'.includes(next)) push('J');
        else push('K');
        break;
      case 'h':
        if (VOWELS.has(next) && !'csptg'.includes(prev)) push('H');
        break;
      case 'k':
      case 'q':
        push('K');
        break;
      case 'p':
        if (next === 'h') {
          push('F');
          i++;
        } else push('P');
        break;
      case 's':
        if (next === 'h') {
          push('X');
          i++;
        } else if (next === 'c' && s[i + 2] === 'h') {
          push('S');
          push('K');
          i += 2;
        } else push('S');
        break;
      case 't':
        if (next === 'h') {
          push('0');
          i++;
        } else if (next === 'c' && s[i + 2] === 'h') {
          push('X');
          i += 2;
        } else if (next === 'z') {
          push('S');
          i++;
        } else push('T');
        break;
      case 'v':
        push('F');
        break;
      case 'w':
        if (VOWELS.has(next)) push('W');
        break;
      case 'x':
        push('K');
        push('S');
        break;
      case 'z':
        push('S');
        break;
      case 'y':
        push('Y');
        break;
      default:
        push(c.toUpperCase());
    }
  }
  return out;
}

/** Similarity of two phrases by their phonetic keys (word keys joined). */
export function phoneticSimilarity(a: string, b: string): number {
  const ka = a.split(' ').map(phoneticKey).join('');
  const kb = b.split(' ').map(phoneticKey).join('');
  if (ka === '' || kb === '') return 0;
  return similarity(ka, kb);
}

/** Singular form of an English noun for matching: pizzas -> pizza, fries -> fry, boxes -> box. */
export function stemEn(word: string): string {
  if (word.length <= 3) return word;
  if (word.endsWith('ies')) return word.slice(0, -3) + 'y';
  if (/(ches|shes|sses|xes|zzes|oes)$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('s') && !word.endsWith('ss') && !word.endsWith('us')) return word.slice(0, -1);
  return word;
}
