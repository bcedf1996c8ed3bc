/**
 * Renders integers as spoken English words and Chinese numerals, for read-back prompts
 * ("two pizzas", "两份饺子") and for round-trip tests of the parsers. Variants cover the forms
 * people say: "and" after hundred, hyphenated tens, 两 for a leading 2 before 百/千/万, 一十 vs 十.
 */

const EN_SMALL = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const EN_TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

export interface EnRenderOptions {
  /** "one hundred and five" (British/elderly style) instead of "one hundred five". */
  and?: boolean;
  /** "twenty-one" instead of "twenty one". */
  hyphen?: boolean;
  /** "a hundred" instead of "one hundred" at the start. */
  leadingA?: boolean;
}

function enBelow1000(n: number, o: EnRenderOptions): string[] {
  const out: string[] = [];
  const h = Math.floor(n / 100);
  const r = n % 100;
  if (h > 0) out.push(EN_SMALL[h]!, 'hundred');
  if (r > 0) {
    if (h > 0 && o.and) out.push('and');
    if (r < 20) out.push(EN_SMALL[r]!);
    else {
      const t = EN_TENS[Math.floor(r / 10)]!;
      const u = r % 10;
      if (u === 0) out.push(t);
      else if (o.hyphen) out.push(`${t}-${EN_SMALL[u]}`);
      else out.push(t, EN_SMALL[u]!);
    }
  }
  return out;
}

/** English words for a non-negative integer below one trillion. */
export function renderEnglish(n: number, o: EnRenderOptions = {}): string {
  if (!Number.isInteger(n) || n < 0 || n >= 1e12) throw new RangeError(`cannot render ${n}`);
  if (n === 0) return 'zero';
  const parts: string[] = [];
  const groups: [number, string][] = [
    [1e9, 'billion'],
    [1e6, 'million'],
    [1e3, 'thousand'],
  ];
  let rest = n;
  for (const [size, name] of groups) {
    const g = Math.floor(rest / size);
    if (g > 0) {
      parts.push(...enBelow1000(g, o), name);
      rest %= size;
    }
  }
  if (rest > 0) {
    if (parts.length > 0 && rest < 100 && o.and) parts.push('and');
    parts.push(...enBelow1000(rest, o));
  }
  if (o.leadingA && parts[0] === 'one' && ['hundred', 'thousand', 'million'].includes(parts[1] ?? '')) {
    parts[0] = 'a';
  }
  return parts.join(' ');
}

const ZH_DIGIT_CHARS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

export interface ZhRenderOptions {
  /** 两 instead of 二 for a leading 2 before 百, 千, 万, 亿 (两百, 两千, 两万). */
  liang?: boolean;
  /** 一十二 instead of 十二 at the start of the number. */
  yiShi?: boolean;
}

function zhBelow10000(n: number, leading: boolean, o: ZhRenderOptions): string {
  const places: [number, string][] = [
    [1000, '千'],
    [100, '百'],
    [10, '十'],
    [1, ''],
  ];
  let out = '';
  let zeroPending = false;
  let started = false;
  for (const [size, unit] of places) {
    const d = Math.floor(n / size) % 10;
    if (d === 0) {
      if (started) zeroPending = true;
      continue;
    }
    if (zeroPending) {
      out += '零';
      zeroPending = false;
    }
    const first = !started && leading;
    let digit = ZH_DIGIT_CHARS[d]!;
    if (d === 2 && o.liang && size >= 100 && first) digit = '两';
    if (size === 10 && d === 1 && first && !o.yiShi) digit = '';
    out += digit + unit;
    started = true;
  }
  return out;
}

/** Chinese numerals for a non-negative integer below one trillion (一万亿). */
export function renderChinese(n: number, o: ZhRenderOptions = {}): string {
  if (!Number.isInteger(n) || n < 0 || n >= 1e12) throw new RangeError(`cannot render ${n}`);
  if (n === 0) return '零';
  const groups: [number, string][] = [
    [1e8, '亿'],
    [1e4, '万'],
    [1, ''],
  ];
  let out = '';
  let rest = n;
  let started = false;
  for (const [size, unit] of groups) {
    const g = Math.floor(rest / size);
    rest %= size;
    if (g === 0) continue;
    // A group below 1000 after a higher group needs 零: 一万零五, 一亿零三百万.
    if (started && g < 1000) out += '零';
    else if (started && out.endsWith('零') === false && previousGapZero(n, size)) out += '零';
    out += zhBelow10000(g, !started, o) + unit;
    started = true;
  }
  return out;
}

/** True when a whole group between the previous printed group and this one was zero (1亿0000万5). */
function previousGapZero(n: number, size: number): boolean {
  if (size !== 1) return false;
  return Math.floor(n / 1e8) > 0 && Math.floor(n / 1e4) % 1e4 === 0;
}
