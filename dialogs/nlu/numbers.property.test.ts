import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalize } from './normalize.ts';
import { parseEnNumberAt } from './numbers-en.ts';
import { parseZhNumberAt, zhNumeralValue } from './numbers-zh.ts';
import { renderChinese, renderEnglish } from './render-number.ts';

function parseWhole(text: string, parser: typeof parseEnNumberAt): number | undefined {
  const tokens = normalize(text).tokens;
  const n = parser(tokens, 0);
  return n && n.end === tokens.length ? n.value : undefined;
}

const anyNumber = fc.oneof(
  fc.integer({ min: 0, max: 100 }),
  fc.integer({ min: 0, max: 10_000 }),
  fc.integer({ min: 0, max: 999_999_999 }),
  fc.integer({ min: 0, max: 999_999_999_999 }),
);

describe('number parsers round-trip rendered numbers', () => {
  it('English words, every rendering style', () => {
    fc.assert(
      fc.property(anyNumber, fc.boolean(), fc.boolean(), fc.boolean(), (n, and, hyphen, leadingA) => {
        const words = renderEnglish(n, { and, hyphen, leadingA });
        expect(parseWhole(words, parseEnNumberAt), words).toBe(n);
      }),
      { numRuns: 2000 },
    );
  });

  it('Chinese numerals, with 两 and 一十 variants', () => {
    fc.assert(
      fc.property(anyNumber, fc.boolean(), fc.boolean(), (n, liang, yiShi) => {
        const zh = renderChinese(n, { liang, yiShi });
        expect(parseWhole(zh, parseZhNumberAt), zh).toBe(n);
      }),
      { numRuns: 2000 },
    );
  });

  it('Arabic digits with thousands separators', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999_999 }), (n) => {
        expect(parseWhole(n.toLocaleString('en-US'), parseEnNumberAt)).toBe(n);
      }),
    );
  });
});

describe('number renderers', () => {
  it.each([
    [0, 'zero', '零'],
    [10, 'ten', '十'],
    [12, 'twelve', '十二'],
    [20, 'twenty', '二十'],
    [105, 'one hundred five', '一百零五'],
    [110, 'one hundred ten', '一百一十'],
    [1005, 'one thousand five', '一千零五'],
    [2300, 'two thousand three hundred', '二千三百'],
    [10_005, 'ten thousand five', '一万零五'],
    [100_010, 'one hundred thousand ten', '十万零一十'],
    [100_005_000, 'one hundred million five thousand', '一亿零五千'],
  ])('%i -> %s / %s', (n, en, zh) => {
    expect(renderEnglish(n)).toBe(en);
    expect(renderChinese(n)).toBe(zh);
  });

  it('refuses what it cannot say', () => {
    expect(() => renderEnglish(-1)).toThrow(RangeError);
    expect(() => renderChinese(1.5)).toThrow(RangeError);
  });
});

describe('spoken Chinese shortcuts', () => {
  it.each([
    ['两千三', 2300],
    ['一百五', 150],
    ['三万五', 35_000],
    ['两万两千', 22_000],
    ['一千零一十', 1010],
    ['二零二六', 2026],
    ['两', 2],
  ])('%s = %d', (zh, n) => {
    expect(zhNumeralValue([...zh])).toBe(n);
  });

  it.each(['百', '三四五百'])('%s is not a number on its own', (zh) => {
    expect(zhNumeralValue([...zh])).toBeUndefined();
  });
});
