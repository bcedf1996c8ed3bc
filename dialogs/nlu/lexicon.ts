/**
 * Longest-match phrase lookup over normalised tokens. Phrases are written in plain text (either
 * language) and tokenised like caller text, so "that's right" and "好的" are matched the same way.
 */
import { phraseTokens } from './normalize.ts';

interface TrieNode<T> {
  next: Map<string, TrieNode<T>>;
  value?: T;
}

export interface PhraseMatch<T> {
  value: T;
  start: number;
  /** Exclusive end token index. */
  end: number;
}

export class Lexicon<T> {
  private readonly root: TrieNode<T> = { next: new Map() };

  constructor(entries: Iterable<readonly [string, T]> = []) {
    for (const [phrase, value] of entries) this.add(phrase, value);
  }

  add(phrase: string, value: T): void {
    const tokens = phraseTokens(phrase);
    if (tokens.length === 0) throw new Error(`empty lexicon phrase: ${JSON.stringify(phrase)}`);
    let node = this.root;
    for (const t of tokens) {
      let child = node.next.get(t);
      if (!child) {
        child = { next: new Map() };
        node.next.set(t, child);
      }
      node = child;
    }
    node.value = value;
  }

  /** The longest phrase starting at `start`, if any. */
  matchAt(tokens: readonly string[], start: number): PhraseMatch<T> | undefined {
    let node: TrieNode<T> | undefined = this.root;
    let best: PhraseMatch<T> | undefined;
    for (let i = start; i < tokens.length; i++) {
      node = node.next.get(tokens[i]!);
      if (!node) break;
      if (node.value !== undefined) best = { value: node.value, start, end: i + 1 };
    }
    return best;
  }

  /** Non-overlapping longest matches, scanning left to right. */
  scan(tokens: readonly string[]): PhraseMatch<T>[] {
    const out: PhraseMatch<T>[] = [];
    let i = 0;
    while (i < tokens.length) {
      const m = this.matchAt(tokens, i);
      if (m) {
        out.push(m);
        i = m.end;
      } else {
        i++;
      }
    }
    return out;
  }
}
