import { describe, expect, it } from 'vitest';
import { compileRules, matchesRules, type PhraseRules, type Term } from '../../asr-tts/phrase-rules.ts';
import { DeterministicNlu } from './deterministic-nlu.ts';
import {
  CHAT_PHRASES,
  chatRules,
  DONE_PHRASES,
  doneRules,
  INTENT_PHRASES,
  intentPhrases,
  intentRules,
  NO_PHRASES,
  NUMBER_WORDS,
  YES_PHRASES,
  yesNoRules,
} from './grammar-phrases.ts';

const nlu = new DeterministicNlu();

/** Every sentence a small rule set allows, from rule `start`. */
function sentences(rules: PhraseRules['rules'], start: string): string[] {
  const compiled = compileRules({ root: [`<${start}>`], rules });
  const seq = (terms: readonly Term[]): string[] =>
    terms.reduce<string[]>(
      (acc, t) => {
        const parts = 'word' in t ? [t.word] : 'ref' in t ? rule(t.ref) : ['', ...seq(t.optional)];
        return acc.flatMap((a) => parts.map((p) => [a, p].filter(Boolean).join(' ')));
      },
      [''],
    );
  const rule = (name: string): string[] => compiled.rules.get(name)!.flatMap(seq);
  return [...new Set(rule(start))];
}
const parse = (text: string, expected: 'yesno' | 'number' | 'free' = 'free') =>
  nlu.parse(text, { language: 'en-US', expected });

describe('grammar phrases agree with the NLU', () => {
  it.each(Object.entries(INTENT_PHRASES))('every %s phrase is read as that intent', (intent, phrases) => {
    for (const p of phrases) expect(parse(p).intent, p).toBe(intent);
  });

  it('asking for a person in a sentence ("I want to talk to an agent") is the human intent', () => {
    const rules = compileRules({ root: ['<intent>'], rules: intentRules() });
    for (const p of [
      'talk to a person',
      "i'd like to speak to an agent please",
      'can i talk to someone',
      'let me talk to a real person',
    ]) {
      expect(matchesRules(rules, p), p).toBe(true);
      expect(parse(p).intent, p).toBe('human');
    }
    for (const p of intentPhrases()) expect(matchesRules(rules, p), p).toBe(true);
  });

  it('yes and no phrases are read as yes and no', () => {
    for (const p of YES_PHRASES) expect(parse(p, 'yesno').slots.yesno?.value, p).toBe(true);
    for (const p of NO_PHRASES) expect(parse(p, 'yesno').slots.yesno?.value, p).toBe(false);
  });

  it('every sentence of the yes and no rules is read as yes and no ("yes it is", "no that\'s wrong", "it isn\'t")', () => {
    const yes = sentences(yesNoRules(), 'yes');
    const no = sentences(yesNoRules(), 'no');
    expect(yes).toEqual(expect.arrayContaining(['yes it is', "that's right", 'correct', "yes that's right"]));
    expect(no).toEqual(expect.arrayContaining(["no that's wrong", 'no it is not', "it isn't", 'nope']));
    for (const p of yes) expect(parse(p, 'yesno').slots.yesno?.value, p).toBe(true);
    for (const p of no) expect(parse(p, 'yesno').slots.yesno?.value, p).toBe(false);
    // The same with every extractor on (the confirm-item and anything-else questions listen so).
    for (const p of [...yes, ...no]) expect(parse(p).intent, p).toBe('none');
  });

  it('every end-of-list sentence ("no, that\'s everything", "that\'s it thanks") is a weak goodbye', () => {
    const done = sentences({ ...yesNoRules(), ...doneRules() }, 'done');
    expect(done).toEqual(
      expect.arrayContaining(["no that's everything", "no that's it", "that's all", 'nothing else']),
    );
    for (const p of done) {
      const r = parse(p);
      expect(r.intent, p).toBe('goodbye');
      expect(r.confidence, p).toBeLessThan(0.9);
    }
  });

  it('Chinese ways of ending a list are weak goodbyes too ("就这样", "够了", "没有别的了")', () => {
    for (const p of ['就这样', '就这样吧', '够了', '没有别的了', '就要这些', '别的不要了', '没有了']) {
      const r = nlu.parse(p, { language: 'zh-CN', expected: 'free' });
      expect(r.intent, p).toBe('goodbye');
      expect(r.confidence, p).toBeLessThan(0.9);
    }
    // At a yes/no question "就这样" stays a yes (a weak intent yields to the answer).
    expect(nlu.parse('就这样', { language: 'zh-CN', expected: 'yesno' }).slots.yesno?.value).toBe(true);
  });

  it('"that\'s all" and the like are a weak goodbye (a list question may read them as no)', () => {
    for (const p of DONE_PHRASES) {
      const r = parse(p);
      expect(r.intent, p).toBe('goodbye');
      expect(r.confidence, p).toBeLessThan(0.9);
    }
    expect(parse('goodbye').confidence).toBeGreaterThanOrEqual(0.9);
  });

  it('small talk is read as nothing (no item, no intent, no yes/no)', () => {
    const rules = compileRules({ root: ['<chat>'], rules: chatRules() });
    for (const p of [
      ...CHAT_PHRASES,
      'i would like to order some food please',
      "i'd like to order something",
    ]) {
      expect(matchesRules(rules, p), p).toBe(true);
      const r = parse(p);
      expect(r.intent, p).toBe('none');
      expect(Object.keys(r.slots), p).toEqual([]);
    }
  });

  it('number words are read as their numbers', () => {
    NUMBER_WORDS.forEach((w, i) => {
      expect(parse(w, 'number').slots.number?.value, w).toBe(i + 1);
    });
  });
});

describe('a no with the right answer after it (a read-back corrected)', () => {
  const zh = (text: string, expected: 'yesno' | 'free' = 'free') =>
    nlu.parse(text, { language: 'zh-CN', expected });
  it('"不对，要三份" is a no with a number; "要" alone is a yes; "要三份" answers no yes/no', () => {
    expect(zh('不对，要三份').slots.yesno?.value).toBe(false);
    expect(zh('不对，要三份').slots.number?.value).toBe(3);
    expect(zh('要', 'yesno').slots.yesno?.value).toBe(true);
    expect(zh('需要', 'yesno').slots.yesno?.value).toBe(true);
    expect(zh('要三份').slots.yesno).toBeUndefined();
  });
  it('"no, three pizzas" and "no I said four" are a no with the number', () => {
    expect(parse('no, three pizzas').slots.yesno?.value).toBe(false);
    expect(parse('no, three pizzas').slots.number?.value).toBe(3);
    expect(parse('no I said four').slots.number?.value).toBe(4);
    expect(parse("no that's wrong").slots.number).toBeUndefined();
    expect(parse('no it is not').slots.number).toBeUndefined();
  });
});
