/**
 * A word-level recognition error model for simulated calls: each word is deleted with
 * probability `deletion`, otherwise replaced with probability `substitution` by a word it is
 * commonly mistaken for (a homophone or near neighbour when there is one, else a filler word).
 * Seeded through the rng it is given.
 */

export interface AsrErrorRates {
  substitution: number;
  deletion: number;
}

/**
 * Named levels. `measured` is pocketsphinx with the voice-order catalog grammars as
 * bench/voice-order-asr.ts measures it (docs/speech.md: the meaning read right in 173 of 189
 * answers; item answers 93/105, i.e. 11% wrong for answers of about 4.5 words; yes/no and
 * quantities 56/56): 2% substitutions and 0.5% deletions per word give 11% of 4.5-word and 5%
 * of 2-word utterances at least one error. `grammar` is the older figure for the phrase-grammar
 * fixtures (21 of 27 clips exact, 22% of utterances wrong): 6% substitutions and 3% deletions
 * give 21% of 2.5-word utterances an error, about 35% of item answers. `noisy` is about twice
 * that per word (about 45% of utterances wrong). Words are independent here; a grammar-mode
 * recognizer makes an error into another phrase of the grammar or rejects it, the simulation
 * into a rejection (off-grammar text comes back empty).
 */
export const ASR_ERROR_LEVELS: Record<string, AsrErrorRates> = {
  none: { substitution: 0, deletion: 0 },
  measured: { substitution: 0.02, deletion: 0.005 },
  grammar: { substitution: 0.06, deletion: 0.03 },
  noisy: { substitution: 0.15, deletion: 0.08 },
};

const NEIGHBOURS: Record<string, string[]> = {
  two: ['to', 'too', 'do'],
  four: ['for', 'or'],
  one: ['want', 'won'],
  eight: ['a', 'ate'],
  three: ['free', 'tree'],
  five: ['fine', 'find'],
  six: ['sex', 'sticks'],
  nine: ['nice', 'line'],
  yes: ['yet', 'guess', 'this'],
  no: ['know', 'go', 'now'],
  right: ['write', 'light'],
  correct: ['collect', 'direct'],
  pizza: ['pete', 'piece of'],
  pizzas: ['pieces', 'peters'],
  coke: ['cook', 'code'],
  agent: ['age', 'asian'],
  person: ['parson', 'percent'],
  repeat: ['report', 'receipt'],
  slower: ['lower', 'slow'],
  bread: ['bed', 'red'],
  eggs: ['legs', 'x'],
  milk: ['mill', 'meal'],
  rice: ['ice', 'rise'],
  tea: ['team', 'the'],
};
const FILLERS = ['the', 'a', 'and', 'uh', 'oh', 'in', 'it'];

export function applyAsrErrors(text: string, rates: AsrErrorRates, rng: () => number): string {
  const out: string[] = [];
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (rng() < rates.deletion) continue;
    if (rng() < rates.substitution) {
      const key = word.toLowerCase().replace(/[^a-z']/g, '');
      const options = NEIGHBOURS[key] ?? FILLERS;
      out.push(options[Math.floor(rng() * options.length)]!);
      continue;
    }
    out.push(word);
  }
  return out.join(' ');
}
