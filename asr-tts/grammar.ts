/** Grammar helpers shared by adapters: the words each grammar kind allows, and matching. */
import type { Grammar } from './asr.ts';
import { compileRules, matchesRules } from './phrase-rules.ts';

export const YES_WORDS = ['yes', 'no'] as const;
export const DIGIT_WORDS = [
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
] as const;

/** Spoken digit words -> '0'..'9' (also "oh" for zero, as callers say it). */
export function digitsFromWords(text: string): string {
  const map: Record<string, string> = { oh: '0' };
  DIGIT_WORDS.forEach((w, i) => {
    map[w] = String(i);
  });
  return text
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => map[w] ?? (/^\d+$/.test(w) ? w : ''))
    .join('');
}

/** Lower-case words: a recognizer returns words, so punctuation in a text ("no, thanks") is dropped. */
function normalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}'\s]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** True when `text` is a result the grammar allows. */
export function matchesGrammar(grammar: Grammar, text: string): boolean {
  const t = normalize(text);
  switch (grammar.kind) {
    case 'yesno':
      return t === 'yes' || t === 'no';
    case 'digits': {
      if (!/^\d+$/.test(t)) return false;
      return t.length >= (grammar.minLength ?? 1) && t.length <= (grammar.maxLength ?? 32);
    }
    case 'phrases':
      if (grammar.rules && matchesRules(compileRules(grammar.rules), t)) return true;
      return grammar.phrases.some((p) => normalize(p) === t);
  }
}
