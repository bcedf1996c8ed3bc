/**
 * AMD accuracy: a generated set of answered-call openings (espeak-ng voices and speeds, levels,
 * pink noise, voicemail greetings of several lengths with and without beeps, machines that wait
 * in silence), each through G.711 mu-law at 8 kHz, classified by engine/amd with a parameter
 * set. Prints accuracy, the confusion matrix (truth x HUMAN/MACHINE/NOTSURE), median decision
 * time per class, beep recall and false beeps, node/CPU info, and a JSON line.
 *
 *   node --import tsx bench/amd-accuracy.ts [--clips 60] [--seed 1] [--params asterisk|vicidial]
 *
 * The set is reproducible for a seed (espeak-ng and sox -R are deterministic).
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { AMD_DEFAULTS, AMD_VICIDIAL, AmdClassifier } from '../engine/amd/amd-classifier.ts';
import { BeepDetector } from '../engine/amd/beep-detector.ts';
import { toFrames } from '../engine/audio/frame.ts';
import { type ClipSpec, type Part, render } from '../fixtures/amd/clips.ts';
import { mulberry32 } from '../telephony/carriers/sim/rng.ts';

const { values } = parseArgs({
  options: {
    clips: { type: 'string', default: '60' },
    seed: { type: 'string', default: '1' },
    params: { type: 'string', default: 'asterisk' },
    'noise-floor': { type: 'string', default: '0' },
  },
});
const total = Number(values.clips);
const rand = mulberry32(Number(values.seed));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const params = {
  ...(values.params === 'vicidial' ? AMD_VICIDIAL : AMD_DEFAULTS),
  noiseFloorFactor: Number(values['noise-floor']),
};

const VOICES = ['en-us', 'en-us+f3', 'en-us+m3', 'en-gb', 'en-gb+f2', 'en-gb-scotland', 'en-us+f4'];
const HUMAN = [
  'hello?',
  'hello',
  'yes?',
  'hi',
  'yeah, hello?',
  'speaking',
  'hello, who is this?',
  'hello, this is Mary speaking',
];
const GREETINGS = [
  "Hi, you've reached Sam. Leave a message.",
  'The person you are calling is not available. Please leave a message after the tone.',
  "Hello, this is Dave. I can't come to the phone right now, leave your name and number and I'll call you back.",
  'You have reached the voicemail box of extension two one four. Please record your message.',
  'Thanks for calling. Nobody is here right now. Please leave a message after the beep.',
];

function spec(i: number): ClipSpec {
  const voice = pick(VOICES);
  const wpm = 140 + Math.floor(rand() * 50);
  const gainDb = pick([0, 0, -6, -12]);
  const snrDb = pick([undefined, undefined, 25, 15]);
  const kind = i % 5; // 2/5 human, 2/5 greeting machines, 1/5 mixed machine cases
  if (kind < 2) {
    const text = pick(HUMAN);
    return {
      id: `h${i}`,
      truth: 'human',
      expected: 'HUMAN',
      beep: false,
      ...(snrDb !== undefined ? { snrDb } : {}),
      description: text,
      parts: [
        { silenceMs: 300 + Math.floor(rand() * 1200) },
        { say: text, voice, wpm, gainDb },
        { silenceMs: 4000 },
      ],
    };
  }
  const beep = rand() < 0.6;
  const parts: Part[] =
    kind === 4 && rand() < 0.4
      ? [{ silenceMs: 6000 }] // a machine that never speaks in time
      : [{ silenceMs: 200 + Math.floor(rand() * 600) }, { say: pick(GREETINGS), voice, wpm, gainDb }];
  if (beep) {
    parts.push(
      { silenceMs: 300 },
      { beepHz: pick([700, 850, 1000, 1050]), beepMs: pick([150, 300, 500]), gainDb },
      { silenceMs: 1000 },
    );
  }
  return {
    id: `m${i}`,
    truth: 'machine',
    expected: 'MACHINE',
    beep,
    ...(snrDb !== undefined ? { snrDb } : {}),
    description: 'machine',
    parts,
  };
}

const results = {
  human: { HUMAN: 0, MACHINE: 0, NOTSURE: 0 },
  machine: { HUMAN: 0, MACHINE: 0, NOTSURE: 0 },
};
const times: Record<string, number[]> = { HUMAN: [], MACHINE: [], NOTSURE: [] };
let beepsExpected = 0;
let beepsFound = 0;
let falseBeeps = 0;
const wrong: string[] = [];
const t0 = performance.now();
for (let i = 0; i < total; i++) {
  const s = spec(i);
  const clip = render(s);
  const amd = new AmdClassifier(params);
  const bd = new BeepDetector();
  let beeps = 0;
  for (const f of toFrames(clip.samples, 8000)) {
    amd.push(f);
    beeps += bd.push(f).length;
  }
  const d = amd.result ?? { result: 'NOTSURE' as const, reason: 'TOOLONG', atMs: clip.samples.length / 8 };
  results[s.truth][d.result]++;
  times[d.result]!.push(d.atMs);
  if (s.beep) {
    beepsExpected++;
    if (beeps > 0) beepsFound++;
  } else if (beeps > 0) falseBeeps++;
  if (d.result !== s.expected)
    wrong.push(`${s.id} (${s.truth}: "${s.description}", ${d.result} ${d.reason})`);
}
const median = (xs: number[]) => {
  if (xs.length === 0) return null;
  const a = [...xs].sort((x, y) => x - y);
  return a[Math.floor(a.length / 2)]!;
};
const correct = results.human.HUMAN + results.machine.MACHINE;
const out = {
  bench: 'amd-accuracy',
  node: process.version,
  cpu: cpus()[0]?.model,
  params: values.params,
  noiseFloorFactor: params.noiseFloorFactor,
  seed: Number(values.seed),
  clips: total,
  accuracy: Number((correct / total).toFixed(3)),
  confusion: results,
  medianDecisionMs: {
    HUMAN: median(times.HUMAN!),
    MACHINE: median(times.MACHINE!),
    all: median(Object.values(times).flat()),
  },
  beep: { expected: beepsExpected, found: beepsFound, falseOnOtherClips: falseBeeps },
  wallS: Number(((performance.now() - t0) / 1000).toFixed(1)),
};
console.log(
  `AMD accuracy (${values.params} parameters, ${total} clips, seed ${values.seed}) on ${out.cpu}, node ${out.node}`,
);
console.log(`accuracy ${(out.accuracy * 100).toFixed(1)}%  (${correct}/${total})`);
console.log('truth \\ decided   HUMAN  MACHINE  NOTSURE');
for (const t of ['human', 'machine'] as const) {
  const r = results[t];
  console.log(
    `${t.padEnd(16)} ${String(r.HUMAN).padStart(6)} ${String(r.MACHINE).padStart(8)} ${String(r.NOTSURE).padStart(8)}`,
  );
}
console.log(
  `median decision time: HUMAN ${out.medianDecisionMs.HUMAN} ms, MACHINE ${out.medianDecisionMs.MACHINE} ms`,
);
console.log(`beeps found ${beepsFound}/${beepsExpected}, false beeps on other clips ${falseBeeps}`);
if (wrong.length) console.log(`misclassified: ${wrong.join('; ')}`);
console.log(JSON.stringify(out));
