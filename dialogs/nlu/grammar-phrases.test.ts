import { describe, expect, it } from 'vitest';
import { compileRules, matchesRules } from '../../asr-tts/phrase-rules.ts';
import { DeterministicNlu } from './deterministic-nlu.ts';
import {
  CHAT_PHRASES,
  chatRules,
  DONE_PHRASES,
  INTENT_PHRASES,
  intentPhrases,
  intentRules,
  NO_PHRASES,
  NUMBER_WORDS,
  YES_PHRASES,
} from './grammar-phrases.ts';

const nlu = new DeterministicNlu();
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
