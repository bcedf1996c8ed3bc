/**
 * Dates and times relative to a reference instant in the caller's zone: today, tomorrow, the day
 * after tomorrow, next Monday, on the 5th, November 28, at 3 pm, half past two, quarter to four;
 * 今天, 明天下午三点, 后天, 大后天, 下周一, 周五, 12月5号, 三点半, 十二点一刻, 晚上八点.
 *
 * Rules (documented in docs/nlu.md): "next Monday" is the first Monday after today; a bare or
 * "this" weekday is the next one, today included; 下周X is that day of next (Monday-based) week;
 * 这周X/本周X is that day of this week. An hour without am/pm or a period word is read as
 * 1-6 -> afternoon, 7-11 -> morning, 12 -> noon. A time alone means today, or tomorrow when that
 * time has already passed. A day of the month alone means this month, or next month when passed.
 */
import { isHan, normalize } from './normalize.ts';
import { ORDINAL_UNITS, parseEnNumberAt } from './numbers-en.ts';
import { isZhNumeral, zhNumeralValue } from './numbers-zh.ts';
import { similarity } from './phonetic.ts';
import { PinyinVocabulary, readings } from './pinyin.ts';
import {
  addDays,
  formatDate,
  isValidDate,
  type PlainDate,
  type WallTime,
  wallTime,
  weekdayOf,
  zonedInstant,
} from './zoned-time.ts';

export interface DateParse {
  date: string;
  time?: string;
  instant?: string;
  confidence: number;
}

const WEEKDAYS_EN: Record<string, number> = {
  sunday: 0,
  sun: 0,
  monday: 1,
  mon: 1,
  tuesday: 2,
  tue: 2,
  tues: 2,
  wednesday: 3,
  wed: 3,
  thursday: 4,
  thu: 4,
  thur: 4,
  thurs: 4,
  friday: 5,
  fri: 5,
  saturday: 6,
  sat: 6,
};
const WEEKDAYS_ZH: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 日: 0, 天: 0, 七: 0 };
const MONTHS_EN = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const MONTH_ABBR: Record<string, number> = {};
MONTHS_EN.forEach((m, i) => {
  MONTH_ABBR[m] = i + 1;
  MONTH_ABBR[m.slice(0, 3)] = i + 1;
});
MONTH_ABBR['sept'] = 9;

const ZH_NUM = '[零〇一二两三四五六七八九十百\\d]+';
const EN_SMALL =
  '\\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty(?: one| two| three)?';
const EN_MIN =
  '(?:oh (?:one|two|three|four|five|six|seven|eight|nine)|fifteen|thirty|forty five|forty|fifty|twenty(?: five)?|ten|five|\\d{2})';

function enValue(words: string): number | undefined {
  const tokens = normalize(words).tokens;
  if (tokens[0] === 'oh') tokens.shift();
  const n = parseEnNumberAt(tokens, 0);
  return n && n.end === tokens.length ? n.value : undefined;
}

function zhValue(s: string): number | undefined {
  if (/^\d+$/.test(s)) return Number(s);
  return zhNumeralValue([...s]);
}

type Period = 'am' | 'pm' | 'noon' | 'night' | undefined;

function applyPeriod(hour: number, period: Period): number {
  if (period === 'am') return hour === 12 ? 0 : hour;
  if (period === 'pm') return hour < 12 ? hour + 12 : hour;
  if (period === 'noon') return hour <= 5 ? hour + 12 : hour; // 中午一点 = 13:00
  if (period === 'night') return hour === 12 ? 0 : hour < 5 ? hour : hour < 12 ? hour + 12 : hour;
  if (hour >= 13) return hour;
  if (hour >= 1 && hour <= 6) return hour + 12;
  return hour;
}

function periodOf(text: string): Period {
  if (/\b(pm|p m)\b|afternoon|evening|tonight|下午|傍晚|晚上|今晚|明晚|夜里/.test(text)) return 'pm';
  if (/\b(am|a m)\b|morning|上午|早上|早晨|明早|今早|凌晨/.test(text)) return 'am';
  if (/中午|\bnoon\b/.test(text)) return 'noon';
  if (/\bat night\b/.test(text)) return 'night';
  return undefined;
}

interface TimeOfDay {
  hour: number;
  minute: number;
}

function parseTime(text: string): TimeOfDay | undefined {
  const period = periodOf(text);
  if (/\bmidnight\b/.test(text)) return { hour: 0, minute: 0 };
  let m: RegExpMatchArray | null;
  // 三点半, 下午3点15分, 十二点一刻, 8点, 15:30 (also in Chinese text)
  // "快一点", "早一点" mean "a bit faster/earlier", not one o'clock.
  m = text.match(new RegExp(`(${ZH_NUM})[点點时](半|一刻|三刻|(${ZH_NUM})分?)?`));
  if (
    m &&
    m[1] === '一' &&
    m.index !== undefined &&
    /[快慢早晚多少好大小近远再稍]/.test(text[m.index - 1] ?? '')
  )
    m = null;
  if (m) {
    const h = zhValue(m[1]!);
    let min = 0;
    if (m[2] === '半') min = 30;
    else if (m[2] === '一刻') min = 15;
    else if (m[2] === '三刻') min = 45;
    else if (m[3]) min = zhValue(m[3]) ?? Number.NaN;
    if (h !== undefined && h <= 24 && min >= 0 && min < 60)
      return { hour: applyPeriod(h, period), minute: min };
  }
  m = text.match(/\b(\d{1,2}):(\d{2})\b/);
  if (m) {
    const h = Number(m[1]);
    const min = Number(m[2]);
    if (h <= 23 && min < 60) return { hour: applyPeriod(h, period), minute: min };
  }
  // half past two, quarter to four, ten past six, twenty to nine
  m = text.match(
    new RegExp(`\\b(half|quarter|${EN_MIN})(?: minutes?)? (past|after|to|before|til|till) (${EN_SMALL})\\b`),
  );
  if (m) {
    const h = enValue(m[3]!);
    const k = m[1] === 'half' ? 30 : m[1] === 'quarter' ? 15 : enValue(m[1]!);
    if (h !== undefined && k !== undefined && h >= 1 && h <= 12) {
      const past = m[2] === 'past' || m[2] === 'after';
      const total = (applyPeriod(h, period) * 60 + (past ? k : -k) + 1440) % 1440;
      return { hour: Math.floor(total / 60), minute: total % 60 };
    }
  }
  if (/\bnoon\b|\bmidday\b|中午十二点/.test(text)) return { hour: 12, minute: 0 };
  // at three, 3 pm, three thirty pm, 7 o clock, at 10 15
  m = text.match(
    new RegExp(
      `(?:\\b(at|by|around|about) )?\\b(${EN_SMALL})(?: (${EN_MIN}))?(?: (o clock|oclock))?(?: (am|pm|a m|p m))?\\b`,
    ),
  );
  while (m) {
    const anchored = m[1] !== undefined || m[4] !== undefined || m[5] !== undefined;
    if (anchored) {
      const h = enValue(m[2]!);
      const min = m[3] ? enValue(m[3]) : 0;
      if (h !== undefined && min !== undefined && h <= 23 && min < 60) {
        return { hour: h > 12 ? h : applyPeriod(h, period), minute: min };
      }
    }
    // Look for a later anchored mention ("in 2 days at 5").
    const rest = text.slice((m.index ?? 0) + m[0].length);
    if (rest === text) break;
    text = rest;
    m = text.match(
      new RegExp(
        `(?:\\b(at|by|around|about) )?\\b(${EN_SMALL})(?: (${EN_MIN}))?(?: (o clock|oclock))?(?: (am|pm|a m|p m))?\\b`,
      ),
    );
  }
  return undefined;
}

interface DayParse {
  date: PlainDate;
  sure: boolean;
}

function parseDay(text: string, today: PlainDate): DayParse | undefined {
  const rel = (n: number): DayParse => ({ date: addDays(today, n), sure: true });
  if (/大后天/.test(text)) return rel(3);
  if (/\bday after tomorrow\b|后天/.test(text)) return rel(2);
  if (/\btomorrow\b|明天|明日|明早|明晚|明儿/.test(text)) return rel(1);
  if (/\byesterday\b|昨天/.test(text)) return rel(-1);
  if (/\btoday\b|\btonight\b|\bthis (morning|afternoon|evening)\b|今天|今日|今晚|今早/.test(text))
    return rel(0);
  let m: RegExpMatchArray | null;
  m = text.match(new RegExp(`(${ZH_NUM})(?:天|日)(?:后|以后|之后)`));
  if (m) {
    const n = zhValue(m[1]!);
    if (n !== undefined) return rel(n);
  }
  m = text.match(/\bin ((?:\w+ ){0,2}?)(days?|weeks?)\b/);
  if (m) {
    const n = m[1]!.trim() === 'a' || m[1]!.trim() === '' ? 1 : enValue(m[1]!.trim());
    if (n !== undefined) return rel(m[2]!.startsWith('week') ? n * 7 : n);
  }
  // 下下周三, 下周一, 下星期五, 这周五, 本周日, 周六, 星期天, 礼拜二
  m = text.match(/(下下个?|下个?|这个?|本)?(?:周|星期|礼拜)([一二三四五六日天七])/);
  if (m) {
    const wd = WEEKDAYS_ZH[m[2]!]!;
    const isoToday = (weekdayOf(today) + 6) % 7; // Monday = 0
    const isoTarget = (wd + 6) % 7;
    const prefix = m[1] ?? '';
    if (prefix.startsWith('下下')) return rel(7 - isoToday + 7 + isoTarget);
    if (prefix.startsWith('下')) return rel(7 - isoToday + isoTarget);
    if (prefix.startsWith('这') || prefix === '本') return rel(isoTarget - isoToday);
    return rel((wd - weekdayOf(today) + 7) % 7);
  }
  m = text.match(
    /\b(?:(next|this|coming|on) )?(sunday|monday|tuesday|wednesday|thursday|friday|saturday|mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)\b/,
  );
  if (m && (m[1] !== undefined || m[2]!.length > 3)) {
    const wd = WEEKDAYS_EN[m[2]!]!;
    let ahead = (wd - weekdayOf(today) + 7) % 7;
    if (m[1] === 'next' && ahead === 0) ahead = 7;
    return { date: addDays(today, ahead), sure: m[1] !== 'next' };
  }
  // 12月5号, 十二月五日
  m = text.match(new RegExp(`(${ZH_NUM})月(${ZH_NUM})[号日]`));
  if (m) return monthDay(today, zhValue(m[1]!), zhValue(m[2]!));
  // november 28, nov 28th, 28th of november, the 28th of november
  const monthNames = Object.keys(MONTH_ABBR).join('|');
  m = text.match(
    new RegExp(`\\b(${monthNames}) (?:the )?(\\d{1,2}|[a-z]+(?: [a-z]+)?)(?: (?:st|nd|rd|th))?\\b`),
  );
  if (m) {
    const d = dayNumber(m[2]!);
    if (d !== undefined) return monthDay(today, MONTH_ABBR[m[1]!], d);
  }
  m = text.match(new RegExp(`\\b(\\d{1,2}|[a-z]+(?: [a-z]+)?)(?: (?:st|nd|rd|th))? of (${monthNames})\\b`));
  if (m) {
    const d = dayNumber(m[1]!.replace(/^the /, ''));
    if (d !== undefined) return monthDay(today, MONTH_ABBR[m[2]!], d);
  }
  // 5号, the 5th
  m = text.match(new RegExp(`(${ZH_NUM})[号]`)) ?? text.match(/\bthe (\d{1,2}) (?:st|nd|rd|th)\b/);
  if (m) return monthDay(today, undefined, zhValue(m[1]!));
  return undefined;
}

function dayNumber(s: string): number | undefined {
  if (/^\d+$/.test(s)) return Number(s);
  const words = s.split(' ');
  if (words.length === 1) return ORDINAL_UNITS[words[0]!] ?? enValue(s);
  if (words[0] === 'twenty' || words[0] === 'thirty') {
    const u = ORDINAL_UNITS[words[1]!];
    if (u !== undefined && u < 10) return (words[0] === 'twenty' ? 20 : 30) + u;
  }
  return ORDINAL_UNITS[words[0]!];
}

function monthDay(
  today: PlainDate,
  month: number | undefined,
  day: number | undefined,
): DayParse | undefined {
  if (day === undefined || day < 1 || day > 31) return undefined;
  if (month !== undefined) {
    if (month < 1 || month > 12) return undefined;
    let d = { year: today.year, month, day };
    if (formatDate(d) < formatDate(today)) d = { year: today.year + 1, month, day };
    return isValidDate(d) ? { date: d, sure: true } : undefined;
  }
  let d = { year: today.year, month: today.month, day };
  if (day < today.day) d = addMonth(d);
  return isValidDate(d) ? { date: d, sure: true } : undefined;
}

function addMonth(d: PlainDate): PlainDate {
  return d.month === 12 ? { year: d.year + 1, month: 1, day: d.day } : { ...d, month: d.month + 1 };
}

const HAN_VOCABULARY = new PinyinVocabulary(
  '今天 明天 后天 大后天 昨天 今晚 明早 明晚 下周 星期 礼拜 上午 下午 晚上 中午 早上 傍晚 凌晨'.split(' '),
);
const EN_VOCABULARY = [
  ...Object.keys(WEEKDAYS_EN).filter((w) => w.length > 4),
  ...MONTHS_EN,
  'tomorrow',
  'tonight',
  'today',
  'morning',
  'afternoon',
  'evening',
  'midnight',
  'quarter',
];
const NUMERAL_BY_SYLLABLE: Record<string, string> = {
  yi: '一',
  er: '二',
  liang: '两',
  san: '三',
  si: '四',
  wu: '五',
  liu: '六',
  qi: '七',
  ba: '八',
  jiu: '九',
  shi: '十',
};

/**
 * Undoes the recogniser slips that matter for dates: homophones of date words (名天 -> 明天),
 * of numerals before 点 (散点 -> 三点), misspelt English date words (tomorow, mondy) and
 * "tree" before am/pm.
 */
function fixTokens(heard: readonly string[]): string[] {
  const tokens = HAN_VOCABULARY.respell(heard).tokens;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const next = tokens[i + 1];
    if (isHan(t) && (next === '点' || next === '點') && !isZhNumeral(t)) {
      const numeral = readings(t)
        .map((r) => NUMERAL_BY_SYLLABLE[r])
        .find((n) => n !== undefined);
      if (numeral) tokens[i] = numeral;
    } else if (t === 'tree' && /^(am|pm|a|p|o|oclock)$/.test(next ?? '')) {
      tokens[i] = 'three';
    } else if (!isHan(t) && t.length >= 5 && !EN_VOCABULARY.includes(t)) {
      const near = EN_VOCABULARY.find((w) => similarity(t, w) >= 0.8);
      if (near) tokens[i] = near;
    }
  }
  return tokens;
}

/** Joins tokens with spaces between Latin words only: "12月5号", "明天15:30", "at 3 pm". */
function compactText(tokens: readonly string[]): string {
  let out = '';
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const prev = tokens[i - 1];
    if (i > 0 && !isHan(t) && prev !== undefined && !isHan(prev)) out += ' ';
    out += t;
  }
  return out;
}

/** Reads a date and/or time from normalised tokens; undefined when neither is there. */
export function parseDate(heard: readonly string[], now: Date, timeZone: string): DateParse | undefined {
  const text = compactText(fixTokens(heard));
  const later = text.match(
    /\bin (an|a|\d+|[a-z]+(?: [a-z]+)?) (hours?|minutes?|mins?)\b|(\S+?)(个)?(小时|分钟)(后|以后|之后)/,
  );
  if (later) {
    const amount =
      later[1] !== undefined ? (/^an?$/.test(later[1]) ? 1 : enValue(later[1])) : zhValue(later[3]!);
    if (amount !== undefined && amount > 0 && amount <= 48 * 60) {
      const hours = /^h|小时/.test(later[2] ?? later[5]!);
      const at = new Date(now.getTime() + amount * (hours ? 3_600_000 : 60_000));
      const w = wallTime(at, timeZone);
      const hh = String(w.hour).padStart(2, '0');
      const mm = String(w.minute).padStart(2, '0');
      return {
        date: formatDate(w),
        time: `${hh}:${mm}`,
        instant: new Date(Math.floor(at.getTime() / 60_000) * 60_000).toISOString(),
        confidence: 0.85,
      };
    }
  }
  const wall: WallTime = wallTime(now, timeZone);
  const today: PlainDate = { year: wall.year, month: wall.month, day: wall.day };
  const day = parseDay(text, today);
  const time = parseTime(text);
  if (!day && !time) return undefined;
  let date = day?.date ?? today;
  if (!day && time && time.hour * 60 + time.minute <= wall.hour * 60 + wall.minute) date = addDays(today, 1);
  const out: DateParse = { date: formatDate(date), confidence: day && !day.sure ? 0.8 : 0.9 };
  if (time) {
    out.time = `${String(time.hour).padStart(2, '0')}:${String(time.minute).padStart(2, '0')}`;
    out.instant = zonedInstant(date, time.hour, time.minute, timeZone).toISOString();
  }
  return out;
}
