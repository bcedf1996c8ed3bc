/**
 * Recognition of the voice-order answers with the catalog grammars (dialogs/voice-order/
 * grammar.ts) in pocketsphinx: spoken items with quantities, synonyms, a person by voice,
 * repeat, "that's all", yes/no, small talk; espeak-ng voices through the G.711 channel, clean,
 * with pink noise at 20 and 10 dB SNR (fixtures/speech/generate.ts), and after 3 s of line noise
 * (the recognizer listens while the bot speaks). Each answer is sent with the grammar of the
 * question it answers, as the dialog does. Printed per condition:
 *   exact    the recognizer's words equal the spoken words
 *   meaning  the NLU reads the recognized words as meant (items and quantities, intent, yes/no)
 * Out-of-grammar speech (things not on the menu, chit-chat) is run through the item grammar:
 *   forced   the NLU found a catalog item in what came back (the dialog then reads it back
 *            and asks "is that right?"; it never adds an item without a yes)
 * With --free, the in-grammar answers are also decoded without a grammar (the en-us language
 * model: what the questions got before they sent grammars).
 *
 *   node --import tsx bench/voice-order-asr.ts [--free] [--json]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { AsrEvent, Grammar } from '../asr-tts/asr.ts';
import { compileRules, countSentences } from '../asr-tts/phrase-rules.ts';
import { PocketsphinxAsr } from '../asr-tts/providers/pocketsphinx/pocketsphinx-asr.ts';
import { parseCatalog } from '../dialogs/nlu/catalog.ts';
import { DeterministicNlu } from '../dialogs/nlu/deterministic-nlu.ts';
import type { ExpectedSlot } from '../dialogs/nlu/types.ts';
import { type VoiceOrderGrammars, voiceOrderGrammars } from '../dialogs/voice-order/grammar.ts';
import { toFrames } from '../engine/audio/frame.ts';
import { mixAtSnr, phoneChannel, pinkNoise, speak } from '../fixtures/speech/generate.ts';
import { machineInfo, round } from './speech-machine.ts';

const { values } = parseArgs({ options: { free: { type: 'boolean', default: false } } });

type Step = keyof VoiceOrderGrammars;
interface Case {
  text: string;
  step: Step;
  /** What the answer means: item lines, an intent, yes/no or a number. */
  meaning: string;
}

const EXPECTED: Record<Step, ExpectedSlot> = {
  item: 'menu',
  quantity: 'number',
  yesNo: 'yesno',
  confirmItem: 'free',
  anythingElse: 'free',
};

const c = (step: Step, text: string, meaning: string): Case => ({ step, text, meaning });
const CASES: Case[] = [
  c('item', 'two pizzas', 'pizza x2'),
  c('item', 'one pizza', 'pizza x1'),
  c('item', 'three cokes', 'coke x3'),
  c('item', 'one wonton soup', 'wonton-soup x1'),
  c('item', 'two loaves of bread', 'bread x2'),
  c('item', 'a bottle of coca cola', 'coke x1'),
  c('item', 'four egg rolls', 'spring-rolls x4'),
  c('item', 'two hamburgers', 'hamburger x2'),
  c('item', 'six eggs please', 'eggs x6'),
  c('item', "i'd like two pizzas and a coke", 'pizza x2, coke x1'),
  c('item', 'agent', 'human'),
  c('item', 'operator', 'human'),
  c('item', 'talk to a person', 'human'),
  c('item', 'repeat', 'repeat'),
  c('item', 'i would like to order some food', '-'),
  c('quantity', 'two', '2'),
  c('quantity', 'three', '3'),
  c('quantity', 'twelve', '12'),
  c('quantity', 'agent', 'human'),
  c('yesNo', 'yes', 'yes'),
  c('yesNo', 'no', 'no'),
  c('yesNo', 'operator', 'human'),
  c('yesNo', 'say that again', 'repeat'),
  c('anythingElse', "that's all", 'goodbye'),
  c('anythingElse', 'nothing else', 'goodbye'),
  c('anythingElse', 'and a sprite', 'sprite x1'),
  c('anythingElse', 'talk to a person', 'human'),
];

/** Speech the item question's grammar does not cover (not on the menu, or not an order at all). */
const OUT_OF_GRAMMAR = [
  'a hot dog and a milkshake',
  'do you have chocolate cake',
  'what is the weather like today',
  'my grandson will call you later',
  'can you deliver it tomorrow morning',
  'i forgot my glasses',
];

const SPEAKERS = [
  { voice: 'en-us', wpm: 150 },
  { voice: 'en-us+f3', wpm: 140 },
  { voice: 'en-gb', wpm: 170 },
  { voice: 'en-us', wpm: 110 },
];
const SNRS = [20, 10];

const catalog = parseCatalog(
  JSON.parse(readFileSync(new URL('../fixtures/catalogs/meals.json', import.meta.url), 'utf8')),
  'meals.json',
);
const grammars = voiceOrderGrammars(catalog);
const nlu = new DeterministicNlu();
const noise = pinkNoise(10_000);

/** An utterance after `leadMs` of silence (line noise added by the adapter), 600 ms after, at 8 kHz. */
function clip(text: string, voice: string, wpm: number, snrDb: number | null, leadMs = 400): Int16Array {
  const speech = speak(text, voice, wpm);
  const lead = leadMs * 8;
  const samples = new Int16Array(lead + speech.length + 4800);
  samples.set(speech, lead);
  const mixed = snrDb === null ? samples : mixAtSnr(samples, noise, snrDb, lead, lead + speech.length);
  return phoneChannel(mixed);
}

async function recognize(asr: PocketsphinxAsr, samples: Int16Array, grammar?: Grammar) {
  const s = asr.stream({ language: 'en-US', ...(grammar ? { grammar } : {}) });
  for (const f of toFrames(samples, 8000)) s.push(f);
  s.end();
  const finals: { text: string; confidence: number }[] = [];
  for await (const e of s as AsyncIterable<AsrEvent>) {
    if (e.type === 'asr.final') finals.push({ text: e.text, confidence: e.confidence });
    if (e.type === 'asr.error') throw new Error(`${e.code}: ${e.message}`);
  }
  return {
    text: finals
      .map((f) => f.text)
      .join(' ')
      .trim(),
    confidence: finals.length ? Math.min(...finals.map((f) => f.confidence)) : 0,
  };
}

/** What the NLU makes of the words at this step, in the notation of Case.meaning. */
function meaningOf(text: string, step: Step): string {
  const r = nlu.parse(text, { language: 'en-US', expected: EXPECTED[step], catalog });
  if (r.intent !== 'none' && r.confidence >= 0.9) return r.intent;
  const items = r.slots.items;
  if (items?.length) return items.map((i) => `${i.itemId} x${i.quantity}`).join(', ');
  if (step === 'quantity' && r.slots.number) return String(r.slots.number.value);
  if (r.slots.yesno) return r.slots.yesno.value ? 'yes' : 'no';
  return r.intent !== 'none' ? r.intent : '-';
}

const words = (t: string) => t.toLowerCase().replace(/\s+/g, ' ').trim();

interface Tally {
  clips: number;
  exact: number;
  meaning: number;
}
const tally = new Map<string, Tally>();
const count = (key: string, exact: boolean, meaning: boolean) => {
  const t = tally.get(key) ?? { clips: 0, exact: 0, meaning: 0 };
  t.clips++;
  t.exact += exact ? 1 : 0;
  t.meaning += meaning ? 1 : 0;
  tally.set(key, t);
};

const asr = new PocketsphinxAsr({ workers: 1, preloadLm: values.free });
await asr.warmUp();
const misses: string[] = [];
const conditions: { name: string; voice: string; wpm: number; snr: number | null; leadMs?: number }[] = [
  ...SPEAKERS.map((s) => ({ name: `${s.voice}@${s.wpm}/clean`, ...s, snr: null })),
  ...SNRS.map((snr) => ({ name: `en-us@150/snr${snr}`, voice: 'en-us', wpm: 150, snr })),
  // As in a call: the recognizer listens while the bot speaks, the answer comes seconds later.
  { name: 'en-us@150/clean/after 3 s', voice: 'en-us', wpm: 150, snr: null, leadMs: 3000 },
];

for (const cond of conditions) {
  for (const k of CASES) {
    const audio = clip(k.text, cond.voice, cond.wpm, cond.snr, cond.leadMs);
    const got = await recognize(asr, audio, grammars[k.step]);
    const meaning = meaningOf(got.text, k.step);
    count(`grammar ${cond.name}`, words(got.text) === words(k.text), meaning === k.meaning);
    count(`grammar step ${k.step}`, words(got.text) === words(k.text), meaning === k.meaning);
    if (meaning !== k.meaning)
      misses.push(`${cond.name} ${k.step} "${k.text}" -> "${got.text}" (${meaning}, want ${k.meaning})`);
    if (values.free && cond.snr === null) {
      const free = await recognize(asr, audio);
      const m = meaningOf(free.text, k.step);
      count(`free ${cond.name}`, words(free.text) === words(k.text), m === k.meaning);
    }
  }
}

const oog: { text: string; condition: string; heard: string; confidence: number; meaning: string }[] = [];
for (const cond of conditions.filter((x) => x.snr === null || x.snr === 20)) {
  for (const text of OUT_OF_GRAMMAR) {
    const got = await recognize(asr, clip(text, cond.voice, cond.wpm, cond.snr), grammars.item);
    oog.push({
      text,
      condition: cond.name,
      heard: got.text,
      confidence: round(got.confidence, 3),
      meaning: meaningOf(got.text, 'item'),
    });
  }
}
await asr.close();

const forced = oog.filter((o) => / x\d+/.test(o.meaning));
const sizes = Object.fromEntries(
  Object.entries(grammars).map(([k, g]) => [
    k,
    g.kind === 'phrases' && g.rules ? countSentences(compileRules(g.rules)) : 0,
  ]),
);
const results = {
  grammarSentences: sizes,
  tally: Object.fromEntries([...tally].map(([k, t]) => [k, t])),
  outOfGrammar: {
    clips: oog.length,
    forcedIntoItem: forced.length,
    noItem: oog.length - forced.length,
    examples: oog.slice(0, 12),
  },
  misses: misses.slice(0, 40),
};

console.log(`grammar sizes (sentences allowed): ${JSON.stringify(sizes)}`);
console.log('exact = words as spoken; meaning = NLU reads what was meant');
for (const [k, t] of tally)
  console.log(`  ${k.padEnd(30)} exact ${t.exact}/${t.clips}  meaning ${t.meaning}/${t.clips}`);
console.log(
  `out of grammar (item question): ${forced.length}/${oog.length} came back as a catalog item (read back for a yes), ${oog.length - forced.length} as no item`,
);
for (const o of oog.slice(0, OUT_OF_GRAMMAR.length))
  console.log(`  "${o.text}" -> "${o.heard}" conf ${o.confidence} (${o.meaning})`);
for (const m of misses.slice(0, 25)) console.log(`  miss: ${m}`);
console.log(JSON.stringify({ bench: 'voice-order-asr', machine: machineInfo(), results }));
