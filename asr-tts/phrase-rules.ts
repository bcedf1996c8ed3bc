/**
 * Phrase rules: a compact phrase grammar for answers that combine parts ("two pizzas and a coke
 * please") and would be thousands of phrases as a flat list. Named rules hold alternatives; an
 * alternative is a sequence of lower-case words, references to other rules (`<qty>`) and
 * optional groups (`[ ... ]`, which may nest). `root` lists the alternatives of the whole answer.
 *
 *   root:  ['[<lead>] <line> [and <line>] [please]', '<intent>']
 *   rules: { line: ['[<qty>] <item>'], qty: ['one', 'two', 'a'], item: ['pizza', 'pizzas'], ... }
 *
 * Rules may not refer to themselves (directly or not) and no alternative may match nothing.
 * Pure: validation, matching, pruning of unknown words, and counting.
 */
import { VoicebotError } from '../engine/errors.ts';

export interface PhraseRules {
  /** The alternatives of a whole answer. */
  root: string[];
  /** Rule name (lower-case letters, digits, '_') -> its alternatives. */
  rules: Record<string, string[]>;
}

export type Term = { word: string } | { ref: string } | { optional: Term[] };
/** A validated grammar: every alternative parsed into terms. */
export interface CompiledRules {
  root: Term[][];
  rules: Map<string, Term[][]>;
}

const NAME = /^[a-z][a-z0-9_]*$/;
const WORD = /^[a-z0-9][a-z0-9']*$/;
const TOKEN = /\[|\]|<[^<>\s]*>|[^\s[\]<>]+/g;

function bad(message: string, details: Record<string, unknown> = {}): VoicebotError {
  return new VoicebotError('ASR_BAD_REQUEST', `phrase rules: ${message}`, details);
}

/** Parses one alternative; `where` names it in errors ('rule <item>, alternative 3'). */
function parseAlternative(text: string, where: string): Term[] {
  const stack: Term[][] = [[]];
  for (const token of text.match(TOKEN) ?? []) {
    const top = stack.at(-1)!;
    if (token === '[') stack.push([]);
    else if (token === ']') {
      if (stack.length === 1) throw bad(`${where} "${text}": "]" without "["`);
      const group = stack.pop()!;
      if (group.length === 0) throw bad(`${where} "${text}": empty "[ ]"`);
      stack.at(-1)!.push({ optional: group });
    } else if (token.startsWith('<')) {
      const name = token.slice(1, -1);
      if (!NAME.test(name) || !token.endsWith('>'))
        throw bad(`${where} "${text}": bad rule reference ${token} (use <name> with a-z, 0-9, _)`);
      top.push({ ref: name });
    } else {
      const word = token.toLowerCase();
      if (!WORD.test(word))
        throw bad(`${where} "${text}": "${token}" is not a word (use letters, digits and apostrophes)`);
      top.push({ word });
    }
  }
  if (stack.length > 1) throw bad(`${where} "${text}": "[" is never closed`);
  return stack[0]!;
}

/** Whether a term sequence can match no words at all. */
function canBeEmpty(terms: readonly Term[], rules: Map<string, Term[][]>): boolean {
  return terms.every((t) =>
    'optional' in t ? true : 'ref' in t ? rules.get(t.ref)!.some((a) => canBeEmpty(a, rules)) : false,
  );
}

function refsOf(terms: readonly Term[], out: Set<string>): Set<string> {
  for (const t of terms) {
    if ('ref' in t) out.add(t.ref);
    else if ('optional' in t) refsOf(t.optional, out);
  }
  return out;
}

/** Compiled grammars by identity: a dialog builds its grammars once and sends them every turn. */
const compiled = new WeakMap<PhraseRules, CompiledRules>();

/** Validates and parses rules; throws ASR_BAD_REQUEST naming the rule, alternative and fix. */
export function compileRules(input: PhraseRules): CompiledRules {
  const hit = compiled.get(input);
  if (hit) return hit;
  const result = compileFresh(input);
  compiled.set(input, result);
  return result;
}

function compileFresh(input: PhraseRules): CompiledRules {
  if (!Array.isArray(input.root) || input.root.length === 0) throw bad('root needs at least one alternative');
  const rules = new Map<string, Term[][]>();
  for (const [name, alts] of Object.entries(input.rules ?? {})) {
    if (!NAME.test(name)) throw bad(`rule name "${name}": use lower-case letters, digits and _`);
    if (!Array.isArray(alts) || alts.length === 0) throw bad(`rule <${name}> has no alternatives`);
    rules.set(
      name,
      alts.map((a, i) => parseAlternative(a, `rule <${name}>, alternative ${i + 1}`)),
    );
  }
  const root = input.root.map((a, i) => parseAlternative(a, `root alternative ${i + 1}`));
  const all: [string, Term[][]][] = [...rules, ['root', root]];
  for (const [name, alts] of all) {
    for (const [i, alt] of alts.entries()) {
      for (const ref of refsOf(alt, new Set())) {
        if (!rules.has(ref))
          throw bad(`${name === 'root' ? 'root' : `rule <${name}>`} alternative ${i + 1}: no rule <${ref}>`);
      }
    }
  }
  checkNoCycle(rules);
  for (const [name, alts] of all) {
    alts.forEach((alt, i) => {
      if (canBeEmpty(alt, rules))
        throw bad(
          `${name === 'root' ? 'root' : `rule <${name}>`} alternative ${i + 1} can match nothing (make a part required)`,
        );
    });
  }
  return { root, rules };
}

function checkNoCycle(rules: Map<string, Term[][]>): void {
  const state = new Map<string, 'open' | 'done'>();
  const visit = (name: string, path: string[]) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'open') throw bad(`rules refer to themselves: ${[...path, name].join(' -> ')}`);
    state.set(name, 'open');
    for (const alt of rules.get(name)!) for (const ref of refsOf(alt, new Set())) visit(ref, [...path, name]);
    state.set(name, 'done');
  };
  for (const name of rules.keys()) visit(name, []);
}

function wordsOf(terms: readonly Term[], out: Set<string>): void {
  for (const t of terms) {
    if ('word' in t) out.add(t.word);
    else if ('optional' in t) wordsOf(t.optional, out);
  }
}

/** Every word the rules use (each once), rules unreachable from root included. */
export function ruleWords(rules: CompiledRules): string[] {
  const out = new Set<string>();
  for (const alt of rules.root) wordsOf(alt, out);
  for (const alts of rules.rules.values()) for (const alt of alts) wordsOf(alt, out);
  return [...out];
}

/** Whether `text` (words separated by spaces) is a sentence of the grammar. */
export function matchesRules(rules: CompiledRules, text: string): boolean {
  const tokens = text.toLowerCase().split(/\s+/).filter(Boolean);
  if (tokens.length === 0) return false;
  const memo = new Map<Term[], Map<number, Set<number>>>();
  /** End positions after matching `terms` from position `at`. */
  const seq = (terms: Term[], at: number): Set<number> => {
    let cache = memo.get(terms);
    if (!cache) {
      cache = new Map();
      memo.set(terms, cache);
    }
    const hit = cache.get(at);
    if (hit) return hit;
    let ends = new Set([at]);
    for (const t of terms) {
      const next = new Set<number>();
      for (const e of ends) {
        if ('word' in t) {
          if (tokens[e] === t.word) next.add(e + 1);
        } else if ('ref' in t) {
          for (const alt of rules.rules.get(t.ref)!) for (const x of seq(alt, e)) next.add(x);
        } else {
          next.add(e);
          for (const x of seq(t.optional, e)) next.add(x);
        }
      }
      ends = next;
      if (ends.size === 0) break;
    }
    cache.set(at, ends);
    return ends;
  };
  return rules.root.some((alt) => seq(alt, 0).has(tokens.length));
}

/**
 * Removes the alternatives that use a word `known` refuses (an optional group with one is
 * dropped instead), then the alternatives that refer to rules left empty, until nothing changes.
 * Returns the smaller grammar and the refused words; throws ASR_BAD_REQUEST if no root
 * alternative is left.
 */
export function pruneRules(
  rules: CompiledRules,
  known: (word: string) => boolean,
): { rules: CompiledRules; dropped: string[] } {
  const dropped = new Set<string>();
  const live = new Map(rules.rules);
  const keep = (terms: Term[]): Term[] | null => {
    const out: Term[] = [];
    for (const t of terms) {
      if ('word' in t) {
        if (!known(t.word)) {
          dropped.add(t.word);
          return null;
        }
        out.push(t);
      } else if ('ref' in t) {
        if (!live.has(t.ref)) return null;
        out.push(t);
      } else {
        const inner = keep(t.optional);
        if (inner && inner.length > 0) out.push({ optional: inner });
      }
    }
    return out.length > 0 ? out : null;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const [name, alts] of live) {
      const kept = alts.map(keep).filter((a): a is Term[] => a !== null);
      if (kept.length === 0) {
        live.delete(name);
        changed = true;
      } else if (kept.length !== alts.length || kept.some((a, i) => !sameTerms(a, alts[i]!))) {
        live.set(name, kept);
        changed = true;
      }
    }
  }
  const root = rules.root.map(keep).filter((a): a is Term[] => a !== null);
  if (root.length === 0)
    throw bad(`no alternative is left without unknown words (${[...dropped].join(', ')})`, {
      dropped: [...dropped],
    });
  return { rules: { root, rules: live }, dropped: [...dropped] };
}

function sameTerms(a: readonly Term[], b: readonly Term[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** How many distinct word sequences the grammar allows (an upper bound when alternatives overlap). */
export function countSentences(rules: CompiledRules): number {
  const memo = new Map<string, number>();
  const rule = (name: string): number => {
    const hit = memo.get(name);
    if (hit !== undefined) return hit;
    const n = rules.rules.get(name)!.reduce((s, alt) => s + seq(alt), 0);
    memo.set(name, n);
    return n;
  };
  const seq = (terms: readonly Term[]): number =>
    terms.reduce((p, t) => p * ('word' in t ? 1 : 'ref' in t ? rule(t.ref) : 1 + seq(t.optional)), 1);
  return rules.root.reduce((s, alt) => s + seq(alt), 0);
}
