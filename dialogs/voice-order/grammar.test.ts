import { describe, expect, it } from 'vitest';
import { matchesGrammar } from '../../asr-tts/grammar.ts';
import { compileRules, countSentences, matchesRules } from '../../asr-tts/phrase-rules.ts';
import { DeterministicNlu } from '../nlu/deterministic-nlu.ts';
import { plural } from './cart.ts';
import { voiceOrderGrammars } from './grammar.ts';
import { catalog, voiceOrderHarness } from './test-setup.ts';

const grammars = voiceOrderGrammars(catalog);
const rules = (g: (typeof grammars)[keyof typeof grammars]) =>
  compileRules(g.kind === 'phrases' && g.rules ? g.rules : { root: ['x'], rules: {} });
const nlu = new DeterministicNlu();
const items = (text: string, expected: 'menu' | 'free' = 'menu') =>
  nlu
    .parse(text, { language: 'en-US', expected, catalog })
    .slots.items?.map((l) => `${l.itemId} x${l.quantity}`)
    .join(', ');

describe('voice-order grammars from the catalog', () => {
  const item = rules(grammars.item);

  it('every name and synonym is in the item grammar with a quantity, and the NLU reads it right', () => {
    const pluralOf = (n: string) => n.replace(/(\w+)$/, (w) => (w.endsWith('s') ? w : plural(w)));
    for (const it of catalog.items) {
      for (const name of [it.names['en-US'], ...it.synonyms['en-US']].map((n) => n.toLowerCase())) {
        expect(matchesRules(item, name), name).toBe(true);
        expect(items(name), name).toBe(`${it.id} x1`);
        // "three jiaozi" or "three pizzas": whichever the grammar has (at least one).
        const counted = [
          `three ${name}`,
          `three ${pluralOf(name)}`,
          `i'd like twelve ${pluralOf(name)} please`,
        ];
        const heard = counted.filter((s) => matchesRules(item, s));
        expect(heard.length, `${name}: ${counted.join(' / ')}`).toBeGreaterThan(0);
        for (const s of heard) expect(items(s), s).toBe(`${it.id} x${s.includes('twelve') ? 12 : 3}`);
      }
    }
  });

  it('units, articles and two items in one answer', () => {
    const cases: [string, string][] = [
      ['a bottle of coca cola', 'coke x1'],
      ['two loaves of bread', 'bread x2'],
      ['a bowl of congee', 'congee x1'],
      ['an apple', 'apples x1'],
      ['an orange juice', 'orange-juice x1'],
      ['i want two pizzas and a coke please', 'pizza x2, coke x1'],
      ['can i have three bowls of wonton soup and two portions of fries', 'wonton-soup x3, french-fries x2'],
    ];
    for (const [s, want] of cases) {
      expect(matchesRules(item, s), s).toBe(true);
      expect(items(s), s).toBe(want);
    }
  });

  it('leaves out what would invite noise: wrong articles, a second item without a quantity', () => {
    for (const s of [
      'a egg',
      'an pizza',
      'two pizza',
      'one pizzas',
      'two pizzas and coke',
      'two bottles of pizza',
    ])
      expect(matchesRules(item, s), s).toBe(false);
  });

  it('every question hears the global intents', () => {
    for (const [name, g] of Object.entries(grammars)) {
      for (const s of [
        'agent',
        'operator',
        'talk to a person',
        'repeat',
        'say that again',
        'slower',
        'goodbye',
      ])
        expect(matchesGrammar(g, s), `${name}: ${s}`).toBe(true);
    }
  });

  it('the quantity, yes/no and anything-else questions take their own answers', () => {
    expect(matchesGrammar(grammars.quantity, 'two')).toBe(true);
    expect(matchesGrammar(grammars.quantity, 'just three bottles please')).toBe(true);
    expect(matchesGrammar(grammars.quantity, 'two pizzas')).toBe(true);
    expect(matchesGrammar(grammars.yesNo, "yes that's right")).toBe(true);
    expect(matchesGrammar(grammars.yesNo, "that's right")).toBe(true);
    expect(matchesGrammar(grammars.yesNo, 'two pizzas')).toBe(false);
    for (const s of ["that's all", 'nothing else', 'no', 'yes', 'and a coke', 'yes two pizzas please'])
      expect(matchesGrammar(grammars.anythingElse, s), s).toBe(true);
  });

  it('the singular of a plural name: "one steamed bun", "one dumpling", "a spring roll"', () => {
    const cases: [string, string][] = [
      ['one steamed bun', 'steamed-buns x1'],
      ["i'd like one steamed bun please", 'steamed-buns x1'],
      ['a pork bun', 'steamed-buns x1'],
      ['one dumpling', 'dumplings x1'],
      ['a spring roll', 'spring-rolls x1'],
      ['one tomato', 'tomatoes x1'],
      ['one beef noodle', 'beef-noodles x1'],
      ['two steamed buns', 'steamed-buns x2'],
    ];
    for (const [s, want] of cases) {
      expect(matchesRules(item, s), s).toBe(true);
      expect(items(s), s).toBe(want);
    }
    for (const s of ['two steamed bun', 'one fry']) expect(matchesRules(item, s), s).toBe(false);
  });

  it('yes/no questions take yes and no as callers say them', () => {
    for (const g of [grammars.yesNo, grammars.confirmItem, grammars.anythingElse]) {
      for (const s of [
        'yes',
        'yes please',
        "that's right",
        'correct',
        'yes it is',
        "yes that's correct",
        'no',
        "no that's wrong",
        'no it is not',
        "no it isn't",
        "that's not right",
      ])
        expect(matchesGrammar(g, s), s).toBe(true);
    }
  });

  it('"Anything else?" takes the end of the list as callers say it', () => {
    for (const s of [
      "no, that's everything",
      "no that's it",
      'no thanks',
      "no thank you that's all",
      "that's all thanks",
      'nothing else',
      "i'm done",
    ])
      expect(matchesGrammar(grammars.anythingElse, s), s).toBe(true);
  });

  it('"two pizzas, is that right?" takes a correction in the same answer', () => {
    for (const s of [
      'no three pizzas',
      'no, I said three pizzas',
      "no that's wrong two bottles of coke",
      'no three',
      'no just one',
      'make it three',
      'no two pizzas and a coke',
    ])
      expect(matchesGrammar(grammars.confirmItem, s), s).toBe(true);
    for (const s of ['three pizzas', 'yes three pizzas', 'three', "no that's wrong egg roll"])
      expect(matchesGrammar(grammars.confirmItem, s), s).toBe(false);
  });

  it('stays compact: hundreds of words for millions of sentences', () => {
    expect(countSentences(item)).toBeGreaterThan(1_000_000);
    const g = grammars.item;
    const size = g.kind === 'phrases' ? JSON.stringify(g.rules).length : 0;
    expect(size).toBeLessThan(12_000);
    // The flat list (for recognizers without rules): names and intents, no combinations.
    expect(g.kind === 'phrases' ? g.phrases.length : 0).toBeLessThan(300);
  });
});

describe('the voice-order dialog sends its grammars', () => {
  it('English questions listen with the catalog grammars; Chinese ones with hints only', () => {
    const en = voiceOrderHarness();
    en.h.start().promptDone();
    expect(en.h.lastListen()?.grammar).toMatchObject({ kind: 'phrases', rules: { root: expect.any(Array) } });
    expect(matchesGrammar(en.h.lastListen()!.grammar!, 'two pizzas')).toBe(true);
    en.h.answer('two pizzas');
    expect(matchesGrammar(en.h.lastListen()!.grammar!, 'yes')).toBe(true);
    expect(matchesGrammar(en.h.lastListen()!.grammar!, 'operator')).toBe(true);
    const zh = voiceOrderHarness({ language: 'zh-CN' });
    zh.h.start().promptDone();
    expect(zh.h.lastListen()?.grammar).toBeUndefined();
    expect(zh.h.lastListen()?.hints).toContain('披萨');
  });

  it('"Anything else?": "that\'s all" goes to the read-back, "and a coke" to the next item, "goodbye" ends', () => {
    const a = voiceOrderHarness();
    a.h.start().promptDone();
    a.h.answer('two pizzas').answer('yes');
    expect(a.h.lastSay()?.text).toMatch(/^Anything else\?/);
    a.h.answer("that's all");
    expect(a.h.lastSay()?.text).toMatch(/^You ordered two pizzas\./);

    const b = voiceOrderHarness();
    b.h.start().promptDone();
    b.h.answer('two pizzas').answer('yes').answer('and a coke');
    expect(b.h.lastSay()?.text).toMatch(/^one bottle of coke, is that right\?/);
    b.h.answer('yes').answer('nothing else');
    expect(b.h.lastSay()?.text).toMatch(/^You ordered two pizzas and one bottle of coke\./);

    const c = voiceOrderHarness();
    c.h.start().promptDone();
    c.h.answer('two pizzas').answer('yes').answer('goodbye');
    expect(c.h.lastOutcome()?.status).toBe('ended-by-caller');
  });
});
