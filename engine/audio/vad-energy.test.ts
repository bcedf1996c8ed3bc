import { afterAll, describe, expect, it } from 'vitest';
import type { VadEvent } from '../../asr-tts/vad.ts';
import { VoicebotError } from '../errors.ts';
import { type SampleRate, toFrames } from './frame.ts';
import { mixInto, rms } from './pcm.ts';
import { resample } from './resample.ts';
import { type Scene, scene, withNoise } from './testing/scenes.ts';
import { speak, synth, tempDir } from './testing/sox.ts';
import { EnergyVad, type EnergyVadOptions } from './vad-energy.ts';

const dir = tempDir();
afterAll(() => dir.cleanup());

const UTTERANCES: [string, string][] = [
  ['Hello, thank you for calling the help line.', 'en'],
  ['Please say your account number now.', 'en-us+f3'],
  ['I would like to pay my bill.', 'en'],
  ['我想查询我的账单。', 'cmn'],
];
const speech16 = UTTERANCES.map(([text, voice], i) => speak(text, 16000, dir, voice, `vad-${i}`));
const speech8 = speech16.map((s) => resample(s, 16000, 8000));

interface Seen {
  ev: VadEvent;
  /** Media time at which the event was reported (end of the frame that caused it). */
  reportedMs: number;
}

function run(samples: Int16Array, rate: SampleRate, options?: EnergyVadOptions, frameMs = 20): Seen[] {
  const vad = new EnergyVad(options);
  const seen: Seen[] = [];
  for (const f of toFrames(samples, rate, 0, frameMs)) {
    for (const ev of vad.process(f)) seen.push({ ev, reportedMs: f.timestampMs + frameMs });
  }
  return seen;
}

/** Checks one start/end pair per utterance; returns the onset latencies (report - true onset). */
function checkSegments(s: Scene, seen: Seen[], tolMs: number): number[] {
  expect(seen.map((x) => x.ev.type)).toEqual(s.truth.flatMap(() => ['vad.speech_start', 'vad.speech_end']));
  const latencies: number[] = [];
  s.truth.forEach(([start, end], i) => {
    const on = seen[2 * i]!;
    const off = seen[2 * i + 1]!;
    expect(Math.abs(on.ev.atMs - start)).toBeLessThanOrEqual(tolMs);
    expect(Math.abs(off.ev.atMs - end)).toBeLessThanOrEqual(tolMs);
    latencies.push(on.reportedMs - start);
  });
  return latencies;
}

describe('EnergyVad on espeak-ng speech', () => {
  it.each([8000, 16000] as const)(
    'finds each of 4 utterances once in clean %i Hz audio (onset latency <= 100 ms)',
    (rate) => {
      const s = scene(rate, rate === 8000 ? speech8 : speech16);
      const seen = run(s.samples, rate);
      const lat = checkSegments(s, seen, 40);
      expect(Math.max(...lat)).toBeLessThanOrEqual(100);
      // speech_end is reported one hangover after the last voiced frame
      for (let i = 1; i < seen.length; i += 2)
        expect(seen[i]!.reportedMs - seen[i]!.ev.atMs).toBeCloseTo(500, -2);
    },
  );

  it.each([
    ['whitenoise', 20, 60, 120],
    ['whitenoise', 10, 80, 160],
    ['pinknoise', 20, 60, 120],
    ['pinknoise', 10, 80, 160],
  ] as const)(
    'in %s at %i dB SNR: 4/4 utterances, boundaries within %i ms, onset latency <= %i ms',
    (kind, snr, tol, maxLat) => {
      for (const rate of [8000, 16000] as const) {
        const s = withNoise(scene(rate, rate === 8000 ? speech8 : speech16), kind, snr, dir);
        const lat = checkSegments(s, run(s.samples, rate), tol);
        expect(Math.max(...lat)).toBeLessThanOrEqual(maxLat);
      }
    },
  );

  it('in white noise at 5 dB SNR still finds 4/4 utterances (onset latency <= 800 ms)', () => {
    const s = withNoise(scene(8000, speech8), 'whitenoise', 5, dir);
    const seen = run(s.samples, 8000);
    expect(seen.filter((x) => x.ev.type === 'vad.speech_start').length).toBe(4);
    for (const [i, [start]] of s.truth.entries()) {
      expect(seen[2 * i]!.reportedMs - start).toBeLessThanOrEqual(800);
    }
  });

  it('hangover decides whether a 500 ms pause splits an utterance (300 ms: yes, 800 ms: no)', () => {
    const s = scene(8000, [speech8[0]!, speech8[2]!], 500);
    const short = run(s.samples, 8000, { hangoverMs: 300 });
    expect(short.filter((x) => x.ev.type === 'vad.speech_start').length).toBe(2);
    const long = run(s.samples, 8000, { hangoverMs: 800 });
    expect(long.map((x) => x.ev.type)).toEqual(['vad.speech_start', 'vad.speech_end']);
    expect(long[1]!.reportedMs - long[1]!.ev.atMs).toBeCloseTo(800, -2);
  });

  it('gives the same segments with 10, 20 and 30 ms frames (within one frame)', () => {
    const s = withNoise(scene(16000, speech16), 'pinknoise', 20, dir);
    const ref = run(s.samples, 16000, {}, 20);
    for (const frameMs of [10, 30]) {
      const got = run(s.samples, 16000, {}, frameMs);
      expect(got.map((x) => x.ev.type)).toEqual(ref.map((x) => x.ev.type));
      for (const [i, x] of got.entries())
        expect(Math.abs(x.ev.atMs - ref[i]!.ev.atMs)).toBeLessThanOrEqual(30);
    }
  });
});

describe('EnergyVad on noise and bursts', () => {
  it.each(['whitenoise', 'pinknoise', 'brownnoise'])(
    'never starts on 10 s of %s at -60, -40 and -20 dBFS, 8 and 16 kHz',
    (kind) => {
      for (const rate of [8000, 16000] as const) {
        const base = synth(rate, ['synth', '10', kind, 'gain', '-n', '-3'], dir, 'vad-only.raw');
        const baseDb = 20 * Math.log10(rms(base) / 32768);
        for (const levelDb of [-60, -40, -20]) {
          const x = new Int16Array(base.length);
          mixInto(x, base, 10 ** ((levelDb - baseDb) / 20));
          const vad = new EnergyVad();
          const events = [...toFrames(x, rate)].flatMap((f) => vad.process(f));
          expect(events).toEqual([]);
          // The floor is measured after the 200 Hz high-pass, which removes most pink/brown noise.
          if (kind === 'whitenoise') expect(Math.abs(vad.noiseFloorDbfs - levelDb)).toBeLessThan(3);
          else expect(vad.noiseFloorDbfs).toBeLessThan(levelDb);
        }
      }
    },
  );

  it('ignores a 40 ms burst (shorter than minSpeechMs=60) but not a 100 ms one', () => {
    const burst = (ms: number) => {
      const x = new Int16Array(12000);
      x.set(synth(8000, ['synth', String(ms / 1000), 'whitenoise', 'vol', '0.3'], dir, 'burst.raw'), 4000);
      return x;
    };
    expect(run(burst(40), 8000)).toEqual([]);
    expect(run(burst(100), 8000).map((x) => x.ev.type)).toEqual(['vad.speech_start', 'vad.speech_end']);
  });

  it('adapts to a step in background noise: one false segment at most, ended within floor window + hangover', () => {
    const rate = 8000;
    const quiet = synth(rate, ['synth', '2', 'whitenoise', 'vol', '0.001'], dir, 'quiet.raw');
    const loud = synth(rate, ['synth', '8', 'whitenoise', 'vol', '0.05'], dir, 'loud.raw');
    const x = new Int16Array(quiet.length + loud.length);
    x.set(quiet);
    x.set(loud, quiet.length);
    const seen = run(x, rate);
    expect(seen.length).toBeLessThanOrEqual(2);
    if (seen.length > 0) expect(seen[1]!.reportedMs).toBeLessThan(2000 + 1500 + 500 + 200);
  });
});

describe('EnergyVad API', () => {
  it('implements Vad: name, speaking, reset', () => {
    const vad = new EnergyVad({ minSpeechMs: 20 });
    expect(vad.name).toBe('energy');
    const silent = { samples: new Int16Array(160), sampleRate: 8000 as const, timestampMs: 0 };
    vad.process(silent);
    const loud = {
      samples: new Int16Array(160).map((_, i) => (i % 2 ? 8000 : -8000)),
      sampleRate: 8000 as const,
      timestampMs: 20,
    };
    expect(vad.process(loud)).toEqual([{ type: 'vad.speech_start', atMs: 20 }]);
    expect(vad.speaking).toBe(true);
    vad.reset();
    expect(vad.speaking).toBe(false);
    expect(vad.process({ ...silent, samples: new Int16Array(0) })).toEqual([]);
  });

  it('rejects bad options and rates with clear errors', () => {
    expect(() => new EnergyVad({ startDb: 6, continueDb: 9 })).toThrow(
      /continueDb must be > 0 and <= startDb/,
    );
    expect(() => new EnergyVad({ hangoverMs: -1 })).toThrow(VoicebotError);
    const vad = new EnergyVad();
    expect(() =>
      vad.process({ samples: new Int16Array(441), sampleRate: 44100 as 8000, timestampMs: 0 }),
    ).toThrow(/44100 Hz/);
  });
});
