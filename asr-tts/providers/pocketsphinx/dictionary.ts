/**
 * The words pocketsphinx can hear: the model's CMU dictionary plus extra pronunciation files
 * (extra.dict beside this file, and any of the deployment's own). A phrase grammar is pruned to
 * these words before it reaches the decoder, so one unknown catalog name does not break a whole
 * question. Files are read once per path.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { VoicebotError } from '../../../engine/errors.ts';

/** The pronunciations shipped with the adapter (extra.dict). */
export const EXTRA_DICT = fileURLToPath(new URL('./extra.dict', import.meta.url));

/** ARPAbet phones of the CMU en-US model (stress marks are not used). */
const PHONES = new Set(
  'AA AE AH AO AW AY B CH D DH EH ER EY F G HH IH IY JH K L M N NG OW OY P R S SH T TH UH UW V W Y Z ZH'.split(
    ' ',
  ),
);

const cache = new Map<string, Set<string>>();

/** `word(2)` -> `word`. */
function baseWord(entry: string): string {
  return entry.replace(/\(\d+\)$/, '');
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new VoicebotError(
      'SPEECH_MODEL_MISSING',
      `pocketsphinx: cannot read the ${what} ${path} (${(err as NodeJS.ErrnoException).code ?? err})`,
      { path },
    );
  }
}

/** Words of a cmudict-format file; extra files are checked line by line (phones, format). */
export function dictionaryWords(path: string, checked = false): Set<string> {
  const hit = cache.get(path);
  if (hit) return hit;
  const words = new Set<string>();
  const text = readText(path, checked ? 'pronunciation file' : 'dictionary');
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';;;')) return;
    const [entry = '', ...phones] = line.split(/\s+/);
    if (checked) {
      const wrong = phones.filter((p) => !PHONES.has(p));
      if (!/^[a-z0-9'][a-z0-9'.-]*(\(\d+\))?$/.test(entry) || phones.length === 0 || wrong.length > 0) {
        throw new VoicebotError(
          'ASR_BAD_REQUEST',
          `pocketsphinx: ${path} line ${i + 1} "${line}": write a lower-case word then its ARPAbet phones` +
            (wrong.length > 0 ? ` (unknown phones: ${wrong.join(' ')}; use ${[...PHONES].join(' ')})` : ''),
          { path, line: i + 1 },
        );
      }
    }
    words.add(baseWord(entry));
  });
  cache.set(path, words);
  return words;
}

/** Whether a word is in any of the dictionaries. */
export function makeVocabulary(mainDict: string, extraDicts: readonly string[]): (word: string) => boolean {
  const sets = [dictionaryWords(mainDict), ...extraDicts.map((p) => dictionaryWords(p, true))];
  return (word) => sets.some((s) => s.has(word));
}
