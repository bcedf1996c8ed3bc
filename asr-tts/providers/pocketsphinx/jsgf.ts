/** Turns a Grammar into a JSGF grammar for pocketsphinx, plus the words it uses (to check the dictionary). */
import { VoicebotError } from '../../../engine/errors.ts';
import type { Grammar } from '../../asr.ts';
import { DIGIT_WORDS, digitsFromWords } from '../../grammar.ts';

export interface Jsgf {
  text: string;
  words: string[];
  /** Maps the recognizer's word string to the grammar's result (digits -> '427'). */
  toResult(words: string): string;
}

function phraseWords(phrase: string): string[] {
  return phrase
    .toLowerCase()
    .replace(/[^a-z' ]+/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
}

export function toJsgf(grammar: Grammar): Jsgf {
  const head = '#JSGF V1.0;\ngrammar voicebot;\n';
  switch (grammar.kind) {
    case 'yesno':
      return { text: `${head}public <g> = yes | no ;\n`, words: ['yes', 'no'], toResult: (w) => w };
    case 'digits': {
      const min = grammar.minLength ?? 1;
      const max = grammar.maxLength;
      if (min < 1 || (max !== undefined && max < min) || (max ?? min) > 32) {
        throw new VoicebotError('ASR_BAD_REQUEST', `digits grammar: bad lengths min ${min} max ${max}`, {
          minLength: min,
          maxLength: max,
        });
      }
      const body =
        max === undefined
          ? `${'<d> '.repeat(min - 1)}<d>+`
          : `${'<d> '.repeat(min)}${'[<d>] '.repeat(max - min)}`.trim();
      const words = [...DIGIT_WORDS, 'oh'];
      return {
        text: `${head}public <g> = ${body} ;\n<d> = ${words.join(' | ')} ;\n`,
        words,
        toResult: digitsFromWords,
      };
    }
    case 'phrases': {
      const pairs = grammar.phrases.map((p) => [phraseWords(p), p] as const).filter(([w]) => w.length > 0);
      if (pairs.length === 0) {
        throw new VoicebotError(
          'ASR_BAD_REQUEST',
          'phrases grammar: no usable phrases (give English words)',
          {},
        );
      }
      const byText = new Map(pairs.map(([w, p]) => [w.join(' '), p]));
      return {
        text: `${head}public <g> = ${[...byText.keys()].join(' | ')} ;\n`,
        words: [...new Set(pairs.flatMap(([w]) => w))],
        toResult: (w) => byText.get(w) ?? w,
      };
    }
  }
}
