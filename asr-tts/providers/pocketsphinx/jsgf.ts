/**
 * Turns a Grammar into a JSGF grammar for pocketsphinx, plus the words it uses (to check the
 * dictionary). Phrase rules become JSGF rules with alternatives (one `<r_name>` per rule), so a
 * grammar of thousands of combinations stays a few hundred words long; their alternatives with
 * words the dictionary lacks are left out (`dropped`) rather than failing the question.
 */
import { VoicebotError } from '../../../engine/errors.ts';
import type { Grammar } from '../../asr.ts';
import { DIGIT_WORDS, digitsFromWords } from '../../grammar.ts';
import { type CompiledRules, compileRules, pruneRules, ruleWords, type Term } from '../../phrase-rules.ts';

export interface Jsgf {
  text: string;
  words: string[];
  /** Words left out of phrase rules because the dictionary lacks them. */
  dropped: string[];
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

function termText(t: Term): string {
  if ('word' in t) return t.word;
  if ('ref' in t) return `<r_${t.ref}>`;
  return `[ ${t.optional.map(termText).join(' ')} ]`;
}

function alternatives(alts: readonly Term[][]): string {
  return alts.map((a) => a.map(termText).join(' ')).join(' | ');
}

/** The rules reachable from the root, in a stable order. */
function reachable(rules: CompiledRules): string[] {
  const seen = new Set<string>();
  const walk = (terms: readonly Term[]) => {
    for (const t of terms) {
      if ('ref' in t && !seen.has(t.ref)) {
        seen.add(t.ref);
        for (const alt of rules.rules.get(t.ref)!) walk(alt);
      } else if ('optional' in t) walk(t.optional);
    }
  };
  for (const alt of rules.root) walk(alt);
  return [...seen];
}

function rulesJsgf(head: string, compiled: CompiledRules, known?: (word: string) => boolean): Jsgf {
  const { rules, dropped } = known ? pruneRules(compiled, known) : { rules: compiled, dropped: [] };
  const body = reachable(rules).map((name) => `<r_${name}> = ${alternatives(rules.rules.get(name)!)} ;\n`);
  return {
    text: `${head}public <g> = ${alternatives(rules.root)} ;\n${body.join('')}`,
    words: ruleWords(rules),
    dropped,
    toResult: (w) => w,
  };
}

/** `known` (the dictionary) prunes phrase rules; flat phrases with unknown words stay an error. */
export function toJsgf(grammar: Grammar, known?: (word: string) => boolean): Jsgf {
  const head = '#JSGF V1.0;\ngrammar voicebot;\n';
  switch (grammar.kind) {
    case 'yesno':
      return {
        text: `${head}public <g> = yes | no ;\n`,
        words: ['yes', 'no'],
        dropped: [],
        toResult: (w) => w,
      };
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
        dropped: [],
        toResult: digitsFromWords,
      };
    }
    case 'phrases': {
      if (grammar.rules) return rulesJsgf(head, compileRules(grammar.rules), known);
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
        dropped: [],
        toResult: (w) => byText.get(w) ?? w,
      };
    }
  }
}
