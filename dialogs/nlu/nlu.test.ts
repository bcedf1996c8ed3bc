import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isVoicebotError, type VoicebotError } from '../../engine/errors.ts';
import { createRootLogger } from '../../engine/log/logger.ts';
import { type Catalog, parseCatalog } from './catalog.ts';
import { DeterministicNlu, MAX_TOKENS } from './deterministic-nlu.ts';
import { parseDigits } from './digits.ts';
import { nluLogFields } from './log-fields.ts';
import { normalize, segment } from './normalize.ts';
import { phoneticKey, similarity, stemEn } from './phonetic.ts';
import { PinyinVocabulary } from './pinyin.ts';
import type { Nlu } from './types.ts';

const catalogJson = JSON.parse(
  readFileSync(new URL('../../fixtures/catalogs/meals.json', import.meta.url), 'utf8'),
) as Catalog;
const catalog = parseCatalog(catalogJson, 'fixtures/catalogs/meals.json');
const nlu: Nlu = new DeterministicNlu();

function thrown(fn: () => unknown): VoicebotError {
  try {
    fn();
  } catch (err) {
    if (isVoicebotError(err)) return err;
    throw err;
  }
  throw new Error('expected a VoicebotError');
}

describe('normalize', () => {
  it('folds full width, case and punctuation, keeps numbers whole', () => {
    const n = normalize('  ＹＥＳ，Ｉ want １,２００ at 3:30PM！ that’s right ');
    expect(n.tokens).toEqual(['yes', 'i', 'want', '1200', 'at', '3:30', 'pm', 'thats', 'right']);
    expect(n.text).toBe('yes i want 1200 at 3:30 pm thats right');
    expect(n.original).toBe('  ＹＥＳ，Ｉ want １,２００ at 3:30PM！ that’s right ');
  });

  it('splits Han text into characters and joins them without spaces', () => {
    const n = normalize('我要，两份饺子。OK？');
    expect(n.tokens).toEqual(['我', '要', '两', '份', '饺', '子', 'ok']);
    expect(n.text).toBe('我要两份饺子 ok');
  });

  it('segments Chinese by known words, falling back to characters', () => {
    const words = new Set(['饺子', '可乐', '一瓶']);
    expect(segment(normalize('我要两份饺子和一瓶可乐').tokens, words)).toEqual([
      '我',
      '要',
      '两',
      '份',
      '饺子',
      '和',
      '一瓶',
      '可乐',
    ]);
  });
});

describe('phonetic matching helpers', () => {
  it('gives sound-alike spellings one key and keeps different words apart', () => {
    expect(phoneticKey('koke')).toBe(phoneticKey('coke'));
    expect(phoneticKey('piza')).toBe(phoneticKey('pizza'));
    expect(phoneticKey('phish')).toBe(phoneticKey('fish'));
    expect(phoneticKey('sprite')).not.toBe(phoneticKey('bread'));
    expect(similarity('abc', 'abc')).toBe(1);
    expect(similarity('abcd', 'abce')).toBe(0.75);
    expect(stemEn('pizzas')).toBe('pizza');
    expect(stemEn('fries')).toBe('fry');
    expect(stemEn('boxes')).toBe('box');
  });

  it('restores homophones of known Han words only when half the characters already agree', () => {
    const v = new PinyinVocabulary(['转人工', '明天']);
    expect(v.respell(normalize('转人公').tokens).tokens.join('')).toBe('转人工');
    expect(v.respell(normalize('名天').tokens).tokens.join('')).toBe('明天');
    // no character in common: left alone
    expect(v.respell(normalize('鸣添').tokens).changed).toBe(0);
  });
});

describe('catalog validation', () => {
  it('accepts the fixture catalog', () => {
    expect(catalog.items.length).toBeGreaterThanOrEqual(20);
    expect(catalog.currency).toBe('CNY');
  });

  it('names the path and the fix for schema errors', () => {
    const bad = structuredClone(catalogJson) as unknown as { items: Record<string, unknown>[] };
    bad.items[1]!['priceMinor'] = 4.5;
    delete (bad.items[2]!['names'] as Record<string, string>)['zh-CN'];
    bad.items[3]!['colour'] = 'red';
    const err = thrown(() => parseCatalog(bad, 'menu.json'));
    expect(err.code).toBe('NLU_CATALOG_INVALID');
    expect(err.message).toContain('menu.json');
    expect(err.message).toContain('items[1].priceMinor: use the smallest currency unit');
    expect(err.message).toContain('items[2].names.zh-CN');
    expect(err.message).toContain('items[3]');
    expect(err.hint).toMatch(/catalog/);
  });

  it('refuses duplicate ids and a synonym shared by two items', () => {
    const dup = structuredClone(catalogJson);
    dup.items[1]!.id = dup.items[0]!.id;
    expect(thrown(() => parseCatalog(dup)).message).toContain(
      'items[1].id: "pizza" is also used by items[0]',
    );
    const shared = structuredClone(catalogJson);
    shared.items[3]!.synonyms['zh-CN'].push('可乐');
    expect(thrown(() => parseCatalog(shared)).message).toContain(
      'items[3] (green-tea): zh-CN name/synonym "可乐" also belongs to "coke"',
    );
  });

  it('refuses something that is not a catalog at all', () => {
    expect(thrown(() => parseCatalog('pizza')).message).toContain('(root)');
  });
});

describe('DeterministicNlu', () => {
  it('answers the expected slot and keeps the original text', () => {
    const r = nlu.parse('Two pizzas and a Coke, please!', { language: 'en-US', expected: 'menu', catalog });
    expect(r.intent).toBe('none');
    expect(r.slots.items?.map((l) => [l.itemId, l.quantity])).toEqual([
      ['pizza', 2],
      ['coke', 1],
    ]);
    expect(r.text).toEqual({
      original: 'Two pizzas and a Coke, please!',
      normalized: 'two pizzas and a coke please',
    });
    expect(r.confidence).toBe(1);
  });

  it('ranks candidates for an ambiguous mention', () => {
    const r = nlu.parse('two cola', { language: 'en-US', expected: 'menu', catalog });
    expect(r.slots.items?.[0]?.itemId).toBe('coke');
    const fuzzy = nlu.parse('one kola', { language: 'en-US', expected: 'menu', catalog });
    expect(fuzzy.slots.items?.[0]).toMatchObject({ itemId: 'coke', quantity: 1 });
    expect(fuzzy.slots.items?.[0]?.score).toBeLessThan(1);
    expect(fuzzy.slots.items?.[0]?.score).toBeGreaterThan(0.7);
  });

  it('resolves "the second one" against the items offered', () => {
    const ctx = {
      language: 'en-US' as const,
      expected: 'menu' as const,
      catalog,
      offered: ['dumplings', 'fried-rice'],
    };
    expect(nlu.parse('the second one', ctx).slots.items?.[0]?.itemId).toBe('fried-rice');
    expect(nlu.parse('第一个', { ...ctx, language: 'zh-CN' }).slots.items?.[0]?.name).toBe('饺子');
    expect(nlu.parse('the fifth one', ctx).slots.items).toBeUndefined();
  });

  it('puts a global intent first and keeps the slot reading as an alternative', () => {
    const r = nlu.parse('no, get me an operator', { language: 'en-US', expected: 'yesno' });
    expect(r.intent).toBe('human');
    expect(r.alternatives.map((a) => a.intent)).toContain('none');
    expect(r.slots.yesno?.value).toBe(false);
  });

  it('lets a weak intent give way to the answer asked for', () => {
    const r = nlu.parse('没有了', { language: 'zh-CN', expected: 'yesno' });
    expect(r.intent).toBe('none');
    expect(r.slots.yesno?.value).toBe(false);
    expect(r.alternatives[0]?.intent).toBe('goodbye');
  });

  it('extracts whatever it finds with expected "free"', () => {
    const now = new Date('2026-11-26T02:00:00Z');
    const r = nlu.parse('明天下午三点送两份饺子', {
      language: 'zh-CN',
      expected: 'free',
      catalog,
      now,
      timeZone: 'Asia/Shanghai',
    });
    expect(r.slots.date).toMatchObject({
      date: '2026-11-27',
      time: '15:00',
      instant: '2026-11-27T07:00:00.000Z',
    });
    expect(r.slots.items?.map((l) => [l.itemId, l.quantity])).toEqual([['dumplings', 2]]);
  });

  it('gives no match, not a guess, for words it does not know', () => {
    const r = nlu.parse('the weather is lovely', { language: 'en-US', expected: 'yesno' });
    expect(r).toMatchObject({ intent: 'none', slots: {}, confidence: 0, alternatives: [] });
  });

  it('refuses a context that cannot be served, with a clear error', () => {
    expect(thrown(() => nlu.parse('pizza', { language: 'en-US', expected: 'menu' })).code).toBe(
      'NLU_CONTEXT_INVALID',
    );
    expect(thrown(() => nlu.parse('tomorrow', { language: 'en-US', expected: 'date' })).message).toContain(
      'context.now',
    );
    expect(
      thrown(() =>
        nlu.parse('tomorrow', {
          language: 'en-US',
          expected: 'date',
          now: new Date(),
          timeZone: 'Mars/Olympus',
        }),
      ).message,
    ).toContain('Mars/Olympus');
    expect(thrown(() => nlu.parse('yes', { language: 'fr-FR' as 'en-US' })).message).toContain('fr-FR');
    expect(
      thrown(() => nlu.parse('yes', { language: 'en-US', expected: 'color' as 'free' })).message,
    ).toContain('color');
  });

  it('survives hostile input', () => {
    for (const text of [
      '',
      '   ',
      '？？？',
      '\u0000\u200b',
      'a'.repeat(5000),
      '一'.repeat(500),
      '9'.repeat(400),
    ]) {
      const r = nlu.parse(text, { language: 'zh-CN', expected: 'free', catalog, now: new Date(0) });
      expect(r.text.original).toBe(text);
    }
  });

  it('bounds the work on a pathologically long utterance (first MAX_TOKENS tokens only)', () => {
    const long = '我要两份饺子和一瓶可乐'.repeat(500);
    nlu.parse(long, { language: 'zh-CN', expected: 'free', catalog, now: new Date(0) });
    const start = performance.now();
    const r = nlu.parse(long, { language: 'zh-CN', expected: 'menu', catalog });
    expect(performance.now() - start).toBeLessThan(1000);
    expect(r.text.original).toBe(long);
    // 200 tokens hold 18 full repetitions of the 11-character order, two lines each.
    expect(r.slots.items).toHaveLength(2 * Math.floor(MAX_TOKENS / 11));
  });

  it('never throws on arbitrary text, in any mode, and keeps scores in 0..1', () => {
    const pieces = fc.constantFrom(
      '两',
      '份',
      '饺子',
      '不',
      '是',
      '点',
      '半',
      '第',
      '幺',
      'two',
      'pizzas',
      'not',
      'at',
      'pm',
      'double',
      'and',
      ' ',
      '，',
      '3:30',
      '１２',
      '零',
      '万',
      '亿',
      '十',
      'a',
      'half',
      'dozen',
      'next',
      'monday',
      '下周',
      '号',
      '月',
    );
    const text = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.array(pieces, { maxLength: 25 }).map((a) => a.join('')),
    );
    const expected = fc.constantFrom('yesno', 'number', 'digits', 'menu', 'date', 'free') as fc.Arbitrary<
      'yesno' | 'number' | 'digits' | 'menu' | 'date' | 'free'
    >;
    fc.assert(
      fc.property(
        text,
        expected,
        fc.constantFrom('en-US', 'zh-CN') as fc.Arbitrary<'en-US' | 'zh-CN'>,
        (t, e, language) => {
          const r = nlu.parse(t, {
            language,
            expected: e,
            catalog,
            now: new Date('2026-02-28T23:59:00Z'),
            timeZone: 'Asia/Shanghai',
          });
          expect(r.confidence).toBeGreaterThanOrEqual(0);
          expect(r.confidence).toBeLessThanOrEqual(1);
          for (const line of r.slots.items ?? []) {
            expect(line.quantity).toBeGreaterThan(0);
            expect(line.score).toBeLessThanOrEqual(1);
          }
          if (r.slots.date) expect(r.slots.date.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        },
      ),
      { numRuns: 1500 },
    );
  });
});

describe('digits and dates, beyond the corpus', () => {
  it('reads back any digit string spoken one by one, in either language', () => {
    const EN = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
    const ZH = ['零', '幺', '二', '三', '四', '五', '六', '七', '八', '九'];
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 18 }),
        fc.boolean(),
        (ds, zh) => {
          const spoken = ds.map((d) => (zh ? ZH[d] : EN[d])).join(zh ? '' : ' ');
          expect(parseDigits(normalize(spoken).tokens)?.value).toBe(ds.join(''));
        },
      ),
    );
  });

  it('keeps wall-clock times across a daylight-saving change', () => {
    // Saturday 2026-03-07 10:00 EST; clocks go forward on Sunday 2026-03-08.
    const now = new Date('2026-03-07T15:00:00Z');
    const r = nlu.parse('tomorrow at 3 pm', {
      language: 'en-US',
      expected: 'date',
      now,
      timeZone: 'America/New_York',
    });
    expect(r.slots.date).toMatchObject({
      date: '2026-03-08',
      time: '15:00',
      instant: '2026-03-08T19:00:00.000Z',
    });
    const before = nlu.parse('today at 3 pm', {
      language: 'en-US',
      expected: 'date',
      now,
      timeZone: 'America/New_York',
    });
    expect(before.slots.date?.instant).toBe('2026-03-07T20:00:00.000Z');
  });

  it('rolls over month and year ends', () => {
    const now = new Date('2026-12-31T08:00:00Z'); // Thursday 16:00 in Shanghai
    const zh = (t: string) =>
      nlu.parse(t, { language: 'zh-CN', expected: 'date', now, timeZone: 'Asia/Shanghai' });
    expect(zh('明天').slots.date?.date).toBe('2027-01-01');
    expect(zh('下周一').slots.date?.date).toBe('2027-01-04');
    expect(zh('5号').slots.date?.date).toBe('2027-01-05');
    expect(zh('上午九点').slots.date).toMatchObject({ date: '2027-01-01', time: '09:00' });
  });
});

describe('logging', () => {
  it('keeps the caller words and slot values under pii, which the logger redacts', () => {
    const r = nlu.parse('my number is 555 1234', { language: 'en-US', expected: 'digits' });
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const log = createRootLogger({ level: 'info', destination: sink });
    log.info(nluLogFields(r), 'nlu result');
    expect(lines.join('')).not.toContain('5551234');
    expect(lines.join('')).not.toContain('555 1234');
    expect(lines.join('')).toContain('"slotNames":["digits"]');
    expect(nluLogFields(r)['pii']).toMatchObject({ text: 'my number is 555 1234' });
  });
});
