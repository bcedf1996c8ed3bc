import { describe, expect, it } from 'vitest';
import { matchesGrammar } from './grammar.ts';
import {
  compileRules,
  countSentences,
  matchesRules,
  type PhraseRules,
  pruneRules,
  ruleWords,
} from './phrase-rules.ts';

const order: PhraseRules = {
  root: ['[i want] <line> [and <line>] [please]', '<intent>'],
  rules: {
    line: ['[<qty>] <item>'],
    qty: ['one', 'two', 'a'],
    item: ['pizza', 'pizzas', 'coke', 'cokes', 'wonton soup'],
    intent: ['agent', 'talk to a person'],
  },
};

describe('phrase rules', () => {
  const rules = compileRules(order);

  it('matches combinations, optional parts and referenced rules', () => {
    for (const ok of [
      'two pizzas',
      'pizza',
      'i want two pizzas and a coke please',
      'a coke and two pizzas',
      'talk to a person',
      'Two  Pizzas',
    ])
      expect(matchesRules(rules, ok), ok).toBe(true);
    for (const no of ['', 'two', 'please', 'two pizzas and', 'pizza pizza', 'talk to a', 'agent please'])
      expect(matchesRules(rules, no), no).toBe(false);
  });

  it('counts the sentences it allows without listing them', () => {
    // line = 4 x 5 = 20; root = 2 x 20 x 21 x 2 + 2.
    expect(countSentences(rules)).toBe(2 * 20 * 21 * 2 + 2);
  });

  it('lists its words once', () => {
    expect(ruleWords(rules).sort()).toEqual(
      [
        'a',
        'agent',
        'and',
        'coke',
        'cokes',
        'i',
        'one',
        'person',
        'pizza',
        'pizzas',
        'please',
        'soup',
        'talk',
        'to',
        'two',
        'want',
        'wonton',
      ].sort(),
    );
  });

  it('prunes alternatives with unknown words, and rules left empty with them', () => {
    const { rules: pruned, dropped } = pruneRules(rules, (w) => w !== 'wonton' && w !== 'want');
    expect(dropped.sort()).toEqual(['want', 'wonton']);
    expect(matchesRules(pruned, 'wonton soup')).toBe(false);
    expect(matchesRules(pruned, 'two pizzas please')).toBe(true);
    // The optional "[i want]" is dropped, not the whole order.
    expect(matchesRules(pruned, 'i want two pizzas')).toBe(false);
    const onlyIntents = pruneRules(rules, (w) => !['pizza', 'pizzas', 'coke', 'cokes', 'wonton'].includes(w));
    expect(onlyIntents.rules.rules.has('item')).toBe(false);
    expect(onlyIntents.rules.rules.has('line')).toBe(false);
    expect(matchesRules(onlyIntents.rules, 'agent')).toBe(true);
    expect(() => pruneRules(rules, () => false)).toThrow(/no alternative is left/);
  });

  it('refuses bad rules with the rule, the alternative and the fix', () => {
    const cases: [PhraseRules, RegExp][] = [
      [{ root: [], rules: {} }, /root needs at least one alternative/],
      [{ root: ['<nope>'], rules: {} }, /root alternative 1: no rule <nope>/],
      [{ root: ['<a>'], rules: { a: ['x <b>'], b: ['y <a>'] } }, /refer to themselves: a -> b -> a/],
      [{ root: ['[x]'], rules: {} }, /can match nothing/],
      [{ root: ['<a>'], rules: { a: ['[x] [y]'] } }, /rule <a> alternative 1 can match nothing/],
      [{ root: ['two [pizzas'], rules: {} }, /"\[" is never closed/],
      [{ root: ['two] pizzas'], rules: {} }, /"\]" without "\["/],
      [{ root: ['two pizzas!'], rules: {} }, /"pizzas!" is not a word/],
      [{ root: ['<A>'], rules: {} }, /bad rule reference <A>/],
      [{ root: ['x'], rules: { 'Bad-Name': ['y'] } }, /rule name "Bad-Name"/],
      [{ root: ['x'], rules: { e: [] } }, /rule <e> has no alternatives/],
    ];
    for (const [r, msg] of cases) {
      expect(() => compileRules(r)).toThrow(msg);
      try {
        compileRules(r);
      } catch (err) {
        expect(err).toMatchObject({ code: 'ASR_BAD_REQUEST', retryable: false });
      }
    }
  });

  it('matchesGrammar takes a phrases grammar with rules (the fake recognizer uses it)', () => {
    const g = { kind: 'phrases' as const, phrases: ['pizza', 'hello there'], rules: order };
    expect(matchesGrammar(g, 'two pizzas and a coke')).toBe(true);
    expect(matchesGrammar(g, 'hello there')).toBe(true);
    expect(matchesGrammar(g, 'three pizzas')).toBe(false);
  });
});
