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
 * Rejection (pocketsphinx-asr.ts `rejectBelow`, rejection.ts): every answer is decoded once with
 * no threshold and its grammar confidence kept; the tables then apply the threshold:
 *   in grammar   accepted and read right / accepted but wrong / rejected
 *   off menu     rejected / read as a catalog item / accepted with no item
 * per condition at the threshold given (default DEFAULT_REJECT_BELOW), then totals for a sweep
 * of thresholds, and the decode cost per answer with and without the phone loop.
 * With --free, the in-grammar answers are also decoded without a grammar (the en-us language
 * model: what the questions got before they sent grammars).
 *
 *   node --import tsx bench/voice-order-asr.ts [--free] [--reject-below 0.5]
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
import { DEFAULT_REJECT_BELOW } from '../asr-tts/providers/pocketsphinx/rejection.ts';
import { machineInfo, percentile, round } from './speech-machine.ts';

const { values } = parseArgs({
  options: {
    free: { type: 'boolean', default: false },
    'reject-below': { type: 'string', default: String(DEFAULT_REJECT_BELOW) },
  },
});
const threshold = Number(values['reject-below']);

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
  'a cheeseburger with french fries',
  'how much is the delivery',
  'is the shop open on sunday',
  'can i pay by card',
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
  const t0 = performance.now();
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
    ms: performance.now() - t0,
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

/** One grammar answer, decoded with no rejection threshold: the threshold is applied below. */
interface Scored {
  condition: string;
  text: string;
  heard: string;
  confidence: number;
  meaning: string;
  right: boolean;
}

// rejectBelow 0: every final comes back with its confidence; the tables apply the threshold.
const asr = new PocketsphinxAsr({ workers: 1, preloadLm: values.free, rejectBelow: 0 });
await asr.warmUp();
const misses: string[] = [];
const inGrammar: Scored[] = [];
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
    const right = meaning === k.meaning;
    inGrammar.push({
      condition: cond.name,
      text: k.text,
      heard: got.text,
      confidence: got.confidence,
      meaning,
      right,
    });
    const kept = got.confidence >= threshold;
    count(`grammar ${cond.name}`, kept && words(got.text) === words(k.text), kept && right);
    count(`grammar step ${k.step}`, kept && words(got.text) === words(k.text), kept && right);
    if (!right || !kept)
      misses.push(
        `${cond.name} ${k.step} "${k.text}" -> "${got.text}" conf ${round(got.confidence, 3)} (${kept ? meaning : 'rejected'}, want ${k.meaning})`,
      );
    if (values.free && cond.snr === null) {
      const free = await recognize(asr, audio);
      const m = meaningOf(free.text, k.step);
      count(`free ${cond.name}`, words(free.text) === words(k.text), m === k.meaning);
    }
  }
}

const oog: Scored[] = [];
for (const cond of conditions) {
  for (const text of OUT_OF_GRAMMAR) {
    const got = await recognize(asr, clip(text, cond.voice, cond.wpm, cond.snr, cond.leadMs), grammars.item);
    const meaning = meaningOf(got.text, 'item');
    oog.push({
      condition: cond.name,
      text,
      heard: got.text,
      confidence: got.confidence,
      meaning,
      right: false,
    });
  }
}

// Decode cost per answer with and without the phone loop (same clips, one condition each way).
const cost: Record<string, { p50Ms: number; p90Ms: number; audioMs: number }> = {};
for (const rejection of [true, false]) {
  const a = new PocketsphinxAsr({ workers: 1, rejection });
  await a.warmUp();
  const ms: number[] = [];
  let audioMs = 0;
  for (const k of CASES) {
    const audio = clip(k.text, 'en-us', 150, null);
    audioMs += audio.length / 8;
    ms.push((await recognize(a, audio, grammars[k.step])).ms);
  }
  await a.close();
  cost[rejection ? 'phoneLoop' : 'grammarOnly'] = {
    p50Ms: round(percentile(ms, 50), 1),
    p90Ms: round(percentile(ms, 90), 1),
    audioMs: round(audioMs / CASES.length, 0),
  };
}
await asr.close();

const isItem = (o: Scored) => / x\d+/.test(o.meaning);
interface Row {
  inRight: number;
  inWrong: number;
  inRejected: number;
  inClips: number;
  oogRejected: number;
  oogItem: number;
  oogOther: number;
  oogClips: number;
}
function rowAt(t: number, cond?: string): Row {
  const ins = inGrammar.filter((x) => !cond || x.condition === cond);
  const outs = oog.filter((x) => !cond || x.condition === cond);
  const kept = (x: Scored) => x.confidence >= t;
  return {
    inRight: ins.filter((x) => kept(x) && x.right).length,
    inWrong: ins.filter((x) => kept(x) && !x.right).length,
    inRejected: ins.filter((x) => !kept(x)).length,
    inClips: ins.length,
    oogRejected: outs.filter((x) => !kept(x)).length,
    oogItem: outs.filter((x) => kept(x) && isItem(x)).length,
    oogOther: outs.filter((x) => kept(x) && !isItem(x)).length,
    oogClips: outs.length,
  };
}
const perCondition = Object.fromEntries(conditions.map((c) => [c.name, rowAt(threshold, c.name)]));
const sweep = [0, 0.05, 0.1, 0.12, 0.14, 0.16, 0.18, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9].map((t) => ({ threshold: t, ...rowAt(t) }));
const quantiles = (xs: Scored[]) =>
  [10, 50, 90].map((p) =>
    round(
      percentile(
        xs.map((x) => x.confidence),
        p,
      ),
      3,
    ),
  );

const sizes = Object.fromEntries(
  Object.entries(grammars).map(([k, g]) => [
    k,
    g.kind === 'phrases' && g.rules ? countSentences(compileRules(g.rules)) : 0,
  ]),
);
const results = {
  rejectBelow: threshold,
  grammarSentences: sizes,
  tally: Object.fromEntries([...tally].map(([k, t]) => [k, t])),
  rejection: { perCondition, sweep, cost },
  confidenceP10P50P90: {
    inGrammarRight: quantiles(inGrammar.filter((x) => x.right)),
    inGrammarWrong: quantiles(inGrammar.filter((x) => !x.right)),
    offMenu: quantiles(oog),
  },
  outOfGrammar: { clips: oog.length, examples: oog.slice(0, 12) },
  /** Every answer: condition, in grammar (1) or off menu (0), read right, read as an item, confidence. */
  scores: [...inGrammar, ...oog].map((x) => [
    x.condition,
    inGrammar.includes(x) ? 1 : 0,
    x.right ? 1 : 0,
    isItem(x) ? 1 : 0,
    x.confidence,
  ]),
  misses: misses.slice(0, 60),
};

console.log(`grammar sizes (sentences allowed): ${JSON.stringify(sizes)}`);
console.log(`rejection threshold (confidence): ${threshold}`);
console.log(
  'exact = words as spoken; meaning = NLU reads what was meant (a rejected answer counts as wrong)',
);
for (const [k, t] of tally)
  console.log(`  ${k.padEnd(30)} exact ${t.exact}/${t.clips}  meaning ${t.meaning}/${t.clips}`);
const fmt = (r: Row) =>
  `in grammar: right ${r.inRight}, wrong ${r.inWrong}, rejected ${r.inRejected} of ${r.inClips} | ` +
  `off menu: rejected ${r.oogRejected}, read as item ${r.oogItem}, other ${r.oogOther} of ${r.oogClips}`;
console.log(`per condition at threshold ${threshold}:`);
for (const [name, r] of Object.entries(perCondition)) console.log(`  ${name.padEnd(28)} ${fmt(r)}`);
console.log('all conditions, by threshold:');
for (const r of sweep) console.log(`  ${r.threshold.toFixed(2)}  ${fmt(r)}`);
console.log(`confidence p10/p50/p90: ${JSON.stringify(results.confidenceP10P50P90)}`);
console.log(
  `decode cost per answer (p50/p90 ms, answers ~${cost.phoneLoop?.audioMs} ms of audio): ${JSON.stringify(cost)}`,
);
for (const o of oog.slice(0, OUT_OF_GRAMMAR.length))
  console.log(`  "${o.text}" -> "${o.heard}" conf ${round(o.confidence, 3)} (${o.meaning})`);
for (const m of misses.slice(0, 30)) console.log(`  miss: ${m}`);
console.log(JSON.stringify({ bench: 'voice-order-asr', machine: machineInfo(), results }));
