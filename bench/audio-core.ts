/**
 * Audio core benchmark: per-frame cost of the pure audio modules, and DTMF / VAD accuracy.
 *
 *   node --import tsx bench/audio-core.ts [--runs 5] [--seconds 60] [--speed-only]
 *
 * Speed: each operation processes `--seconds` of audio as 20 ms frames into preallocated
 * buffers, `--runs` times; the median run's CPU time (user + system, so other processes on a
 * shared machine do not inflate it; wall time is printed too) gives frames/s and x real time
 * (audio seconds per CPU second, i.e. how many live streams one core could carry).
 * Accuracy (needs sox and espeak-ng): DTMF keys detected out of keys sent at several levels and
 * conditions, DTMF false alarms on speech and music-like audio, and VAD utterances found and
 * onset latency on espeak-ng speech in noise. Prints a JSON line at the end.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { DtmfDetector, detectDtmf } from '../engine/audio/dtmf-detector.ts';
import { generateDtmf } from '../engine/audio/dtmf-generator.ts';
import { DTMF_DIGITS } from '../engine/audio/dtmf-tones.ts';
import { type SampleRate, toFrames } from '../engine/audio/frame.ts';
import {
  alawDecode,
  alawEncode,
  g711Decode,
  g711Encode,
  mulawDecode,
  mulawEncode,
} from '../engine/audio/g711.ts';
import { applyGain, dbToGain, mixInto, rms } from '../engine/audio/pcm.ts';
import { Resampler, resample } from '../engine/audio/resample.ts';
import { scene, withNoise } from '../engine/audio/testing/scenes.ts';
import { speak, synth, tempDir } from '../engine/audio/testing/sox.ts';
import { EnergyVad } from '../engine/audio/vad-energy.ts';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '60' },
    'speed-only': { type: 'boolean', default: false },
  },
});
const RUNS = Number(args.runs);
const SECONDS = Number(args.seconds);

/** Speech-like test signal: noise shaped by a slow envelope plus a few tones. */
function testSignal(rate: SampleRate, seconds: number): Int16Array {
  const n = rate * seconds;
  const out = new Int16Array(n);
  let seed = 12345;
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const env = 0.5 + 0.5 * Math.sin((2 * Math.PI * i) / (rate * 0.7));
    const tone = Math.sin((2 * Math.PI * 220 * i) / rate) + 0.5 * Math.sin((2 * Math.PI * 1330 * i) / rate);
    out[i] = Math.round(env * (4000 * tone + ((seed / 0x7fffffff) * 2 - 1) * 3000));
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

interface SpeedResult {
  op: string;
  frameMs: number;
  /** From CPU time (user + system) of this process: robust on a shared, loaded machine. */
  framesPerSec: number;
  xRealTime: number;
  cpuNsPerFrame: number;
  wallNsPerFrame: number;
}

function measure(op: string, frames: number, frameMs: number, body: () => void): SpeedResult {
  body(); // warm-up (JIT)
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    body();
    wall.push(Number(process.hrtime.bigint() - t0) / 1e9);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
  }
  const sec = median(cpu);
  const framesPerSec = frames / sec;
  return {
    op,
    frameMs,
    framesPerSec: Math.round(framesPerSec),
    xRealTime: Math.round((framesPerSec * frameMs) / 1000),
    cpuNsPerFrame: Math.round((sec / frames) * 1e9),
    wallNsPerFrame: Math.round((median(wall) / frames) * 1e9),
  };
}

function speed(): SpeedResult[] {
  const s8 = testSignal(8000, SECONDS);
  const s16 = testSignal(16000, SECONDS);
  const frames = (SECONDS * 1000) / 20;
  const f8 = [...toFrames(s8, 8000)];
  const f16 = [...toFrames(s16, 16000)];
  const bytes = mulawEncode(s8);
  const abytes = alawEncode(s8);
  const outB = new Uint8Array(160);
  const outS = new Int16Array(320);
  const results: SpeedResult[] = [];
  results.push(
    measure('mulaw encode', frames, 20, () => {
      for (let i = 0; i < frames; i++) mulawEncode(s8.subarray(i * 160, i * 160 + 160), outB);
    }),
  );
  results.push(
    measure('mulaw decode', frames, 20, () => {
      for (let i = 0; i < frames; i++) mulawDecode(bytes.subarray(i * 160, i * 160 + 160), outS);
    }),
  );
  results.push(
    measure('alaw encode', frames, 20, () => {
      for (let i = 0; i < frames; i++) alawEncode(s8.subarray(i * 160, i * 160 + 160), outB);
    }),
  );
  results.push(
    measure('alaw decode', frames, 20, () => {
      for (let i = 0; i < frames; i++) alawDecode(abytes.subarray(i * 160, i * 160 + 160), outS);
    }),
  );
  results.push(
    measure('resample 8k->16k', frames, 20, () => {
      const r = new Resampler({ from: 8000, to: 16000 });
      for (const f of f8) r.process(f.samples, outS);
    }),
  );
  results.push(
    measure('resample 16k->8k', frames, 20, () => {
      const r = new Resampler({ from: 16000, to: 8000 });
      for (const f of f16) r.process(f.samples, outS);
    }),
  );
  results.push(
    measure('dtmf detect 8k', frames, 20, () => {
      const d = new DtmfDetector();
      for (const f of f8) d.process(f);
    }),
  );
  results.push(
    measure('dtmf detect 16k', frames, 20, () => {
      const d = new DtmfDetector({ sampleRate: 16000 });
      for (const f of f16) d.process(f);
    }),
  );
  results.push(
    measure('vad energy 8k', frames, 20, () => {
      const v = new EnergyVad();
      for (const f of f8) v.process(f);
    }),
  );
  results.push(
    measure('vad energy 16k', frames, 20, () => {
      const v = new EnergyVad();
      for (const f of f16) v.process(f);
    }),
  );
  return results;
}

function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function accuracy() {
  const dir = tempDir('voicebot-bench-');
  try {
    // DTMF detection: every key, 60 ms tones (from the generator, -10 dBFS per tone) with 60 ms
    // gaps, scaled to each level.
    const keys = [...DTMF_DIGITS];
    const keyTones = (rate: SampleRate) =>
      keys.map((k) => generateDtmf(k, { durationMs: 60, sampleRate: rate }));
    const detection: Record<string, string> = {};
    let sent = 0;
    let found = 0;
    for (const rate of [8000, 16000] as const) {
      const tones = keyTones(rate);
      const gap = new Int16Array((rate * 60) / 1000);
      const clean = concat([gap, ...tones.flatMap((t) => [t, gap])]);
      for (const level of [-3, -10, -20, -30, -40]) {
        const x = applyGain(clean, dbToGain(level + 10), new Int16Array(clean.length));
        const conditions: Record<string, Int16Array> = { clean: x };
        const noise = synth(rate, ['synth', String(x.length / rate + 0.1), 'whitenoise'], dir, 'n.raw');
        const noisy = x.slice();
        mixInto(noisy, noise.subarray(0, x.length), rms(x) / 10 / rms(noise));
        conditions['20dB-white'] = noisy;
        if (rate === 8000) {
          conditions.mulaw = g711Decode('mulaw', g711Encode('mulaw', noisy));
          conditions.alaw = g711Decode('alaw', g711Encode('alaw', noisy));
        }
        for (const [name, sig] of Object.entries(conditions)) {
          const got = detectDtmf(sig, { sampleRate: rate })
            .map((e) => e.digit)
            .join('');
          let ok = 0;
          for (let i = 0, j = 0; i < got.length && j < keys.length; j++) {
            if (got[i] === keys[j]) {
              ok++;
              i++;
            }
          }
          sent += keys.length;
          found += ok;
          detection[`${rate} ${level}dBFS/tone ${name}`] =
            `${ok}/${keys.length}${got.length > ok ? ` (+${got.length - ok} extra)` : ''}`;
        }
      }
    }
    // DTMF talk-off: speech and music-like audio.
    const texts: [string, string][] = [
      ['Hello, thank you for calling. Please tell me your account number after the tone.', 'en'],
      [
        'The quick brown fox jumps over the lazy dog. One two three four five six seven eight nine zero.',
        'en-us+f3',
      ],
      ['I would like to speak to an agent about my bill, please. Yes, that is correct.', 'en'],
      ['你好，欢迎致电。请在提示音后输入您的账号。', 'cmn'],
      ['我想查询我的账单。谢谢。一二三四五六七八九零。', 'cmn+f2'],
    ];
    let talkSeconds = 0;
    let talkHits = 0;
    const speech16 = texts.map(([t, v], i) => speak(t, 16000, dir, v, `b${i}`));
    for (const s of speech16) {
      for (const gain of [1, 3.16]) {
        for (const [rate, x] of [
          [16000, s],
          [8000, resample(s, 16000, 8000)],
        ] as const) {
          const y = applyGain(x, gain, new Int16Array(x.length));
          talkSeconds += y.length / rate;
          talkHits += detectDtmf(y, { sampleRate: rate }).length;
        }
      }
    }
    const music = [
      [
        'synth',
        '2',
        'sawtooth',
        '261.63',
        'synth',
        '2',
        'sawtooth',
        'mix',
        '329.63',
        'synth',
        '2',
        'sawtooth',
        'mix',
        '392',
      ],
      [
        'synth',
        '2',
        'square',
        '880',
        'synth',
        '2',
        'square',
        'mix',
        '1046.5',
        'synth',
        '2',
        'square',
        'mix',
        '1318.5',
      ],
      [
        'synth',
        '2',
        'pluck',
        '%-9',
        'synth',
        '2',
        'pluck',
        'mix',
        '%-5',
        'synth',
        '2',
        'pluck',
        'mix',
        '%-2',
      ],
      ['synth', '4', 'sine', '300-3400'],
      ['synth', '4', 'sine', '500-1100', 'synth', '4', 'sine', 'mix', '750-1650'],
      ['synth', '4', 'square', '200-2000'],
      ['synth', '2', 'sine', '350', 'synth', '2', 'sine', 'mix', '440'],
    ];
    let musicSeconds = 0;
    let musicHits = 0;
    for (const fx of music) {
      const x = synth(8000, [...fx, 'gain', '-n', '-3'], dir, 'm.raw');
      musicSeconds += x.length / 8000;
      musicHits += detectDtmf(x).length;
    }
    // VAD on 4 espeak-ng utterances with 1.2 s gaps.
    const vadTexts: [string, string][] = [
      ['Hello, thank you for calling the help line.', 'en'],
      ['Please say your account number now.', 'en-us+f3'],
      ['I would like to pay my bill.', 'en'],
      ['我想查询我的账单。', 'cmn'],
    ];
    const clips16 = vadTexts.map(([t, v], i) => speak(t, 16000, dir, v, `v${i}`));
    const vad: Record<
      string,
      { found: string; falseStarts: number; onsetLatencyMs: { median: number; max: number } }
    > = {};
    for (const rate of [8000, 16000] as const) {
      const base = scene(rate, rate === 16000 ? clips16 : clips16.map((c) => resample(c, 16000, 8000)));
      for (const [kind, snr] of [
        ['clean', 0],
        ['whitenoise', 20],
        ['whitenoise', 10],
        ['whitenoise', 5],
        ['pinknoise', 20],
        ['pinknoise', 10],
        ['pinknoise', 5],
      ] as const) {
        const sc = kind === 'clean' ? base : withNoise(base, kind, snr, dir);
        const v = new EnergyVad();
        const starts: number[] = [];
        for (const f of toFrames(sc.samples, rate)) {
          for (const e of v.process(f)) if (e.type === 'vad.speech_start') starts.push(f.timestampMs + 20);
        }
        const lat: number[] = [];
        let falseStarts = 0;
        for (const t of starts) {
          const u = sc.truth.find(([a, b]) => t >= a && t <= b + 500);
          if (u) lat.push(t - u[0]);
          else falseStarts++;
        }
        vad[`${rate} ${kind}${kind === 'clean' ? '' : ` ${snr}dB`}`] = {
          found: `${lat.length}/${sc.truth.length}`,
          falseStarts,
          onsetLatencyMs: { median: Math.round(median(lat)), max: Math.round(Math.max(...lat)) },
        };
      }
    }
    let noiseStarts = 0;
    for (const kind of ['whitenoise', 'pinknoise', 'brownnoise']) {
      for (const vol of ['0.003', '0.03', '0.3']) {
        const x = synth(8000, ['synth', '10', kind, 'vol', vol], dir, 'vn.raw');
        const v = new EnergyVad();
        for (const f of toFrames(x, 8000)) noiseStarts += v.process(f).length;
      }
    }
    return {
      dtmf: {
        detected: `${found}/${sent}`,
        detection,
        talkOff: { speechSeconds: Math.round(talkSeconds), speechFalseAlarms: talkHits },
        musicOff: { musicSeconds: Math.round(musicSeconds), musicFalseAlarms: musicHits },
      },
      vad: { utterances: vad, pureNoise: { seconds: 90, starts: noiseStarts } },
    };
  } finally {
    dir.cleanup();
  }
}

const machine = {
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  loadavg: loadavg().map((l) => Math.round(l * 10) / 10),
};
console.log(
  `node ${machine.node} on ${machine.cpu} (${machine.cores} cores, load ${machine.loadavg.join(' ')})`,
);
console.log(`speed: ${SECONDS} s of audio as 20 ms frames, median CPU time of ${RUNS} runs (one core)`);
const results = speed();
for (const r of results) {
  console.log(
    `  ${r.op.padEnd(18)} ${String(r.framesPerSec).padStart(10)} frames/s  ${String(r.xRealTime).padStart(7)}x real time  ${String(r.cpuNsPerFrame).padStart(6)} ns/frame cpu  (${r.wallNsPerFrame} wall)`,
  );
}
const acc = args['speed-only'] ? undefined : accuracy();
if (acc) {
  console.log(`dtmf: ${acc.dtmf.detected} keys detected`);
  for (const [k, v] of Object.entries(acc.dtmf.detection)) console.log(`  ${k.padEnd(32)} ${v}`);
  console.log(
    `  talk-off: ${acc.dtmf.talkOff.speechFalseAlarms} false alarms in ${acc.dtmf.talkOff.speechSeconds} s of espeak-ng speech; ${acc.dtmf.musicOff.musicFalseAlarms} in ${acc.dtmf.musicOff.musicSeconds} s of music-like audio`,
  );
  console.log('vad (4 utterances each):');
  for (const [k, v] of Object.entries(acc.vad.utterances)) {
    console.log(
      `  ${k.padEnd(22)} found ${v.found}  false starts ${v.falseStarts}  onset latency median ${v.onsetLatencyMs.median} ms, max ${v.onsetLatencyMs.max} ms`,
    );
  }
  console.log(`  pure noise: ${acc.vad.pureNoise.starts} starts in ${acc.vad.pureNoise.seconds} s`);
}
console.log(
  JSON.stringify({
    bench: 'audio-core',
    machine,
    seconds: SECONDS,
    runs: RUNS,
    speed: results,
    accuracy: acc,
  }),
);
