/**
 * Test/bench-only builders of labelled audio scenes: utterances separated by silence (with the
 * true speech boundaries), plus noise at a set SNR. Use sox / espeak-ng through ./sox.ts.
 */
import type { SampleRate } from '../frame.ts';
import { mixInto, rms } from '../pcm.ts';
import { synth, type TempDir } from './sox.ts';

export interface Scene {
  samples: Int16Array;
  rate: SampleRate;
  /** [startMs, endMs] of each utterance's speech. */
  truth: [number, number][];
  /** RMS of the speech over its active parts. */
  speechRms: number;
}

/** Where speech really is in a clean clip: first to last 10 ms block above -45 dBFS (samples). */
export function activeRegion(clip: Int16Array, rate: number): [number, number] {
  const f = rate / 100;
  const threshold = 32768 * 10 ** (-45 / 20);
  let a = -1;
  let b = -1;
  for (let i = 0; i + f <= clip.length; i += f) {
    if (rms(clip.subarray(i, i + f)) > threshold) {
      if (a < 0) a = i;
      b = i + f;
    }
  }
  return [a, b];
}

/** Clips separated by `gapMs` of silence, after `leadMs` of silence. */
export function scene(rate: SampleRate, clips: Int16Array[], gapMs = 1200, leadMs = 800): Scene {
  const gap = (gapMs * rate) / 1000;
  const total = (leadMs * rate) / 1000 + clips.reduce((a, c) => a + c.length + gap, 0);
  const samples = new Int16Array(total);
  const truth: [number, number][] = [];
  let at = (leadMs * rate) / 1000;
  let sum = 0;
  let n = 0;
  for (const c of clips) {
    samples.set(c, at);
    const [a, b] = activeRegion(c, rate);
    truth.push([((at + a) * 1000) / rate, ((at + b) * 1000) / rate]);
    for (let i = a; i < b; i++) sum += c[i]! * c[i]!;
    n += b - a;
    at += c.length + gap;
  }
  return { samples, rate, truth, speechRms: Math.sqrt(sum / n) };
}

/** The scene with sox noise (`whitenoise`, `pinknoise`, ...) `snrDb` below the speech. */
export function withNoise(s: Scene, kind: string, snrDb: number, dir: TempDir): Scene {
  const noise = synth(
    s.rate,
    ['synth', String(s.samples.length / s.rate + 0.1), kind],
    dir,
    'scene-noise.raw',
  );
  const samples = s.samples.slice();
  mixInto(samples, noise.subarray(0, samples.length), s.speechRms / 10 ** (snrDb / 20) / rms(noise));
  return { ...s, samples };
}
