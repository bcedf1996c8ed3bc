/**
 * Caller-line audio for the echo gate and caller input tests, from the speech fixtures: clips
 * with where their speech starts, and pink line noise at a given SNR under espeak-ng speech
 * (RMS about 3000).
 */
import { readFileSync } from 'node:fs';
import { readWav } from '../../audio/wav.ts';

const url = (file: string) => new URL(`../../../fixtures/speech/set/${file}`, import.meta.url);

export const clip = (name: string): Int16Array => readWav(readFileSync(url(`${name}.wav`))).samples;

/** Where speech starts in the clip (ms), from its sidecar. */
export const speechStartMs = (name: string): number =>
  (JSON.parse(readFileSync(url(`${name}.json`), 'utf8')) as { speechStartMs: number }).speechStartMs;

/** Pink line noise (the fixture, repeated) at `snrDb` under speech of RMS 3000. */
export function lineNoise(samples: number, snrDb: number): Int16Array {
  const pink = clip('noise-pinknoise');
  let sum = 0;
  for (const v of pink) sum += v * v;
  const gain = 3000 / 10 ** (snrDb / 20) / Math.sqrt(sum / pink.length);
  return new Int16Array(samples).map((_, i) => Math.round((pink[i % pink.length] ?? 0) * gain));
}

/** `b` added into `a` from sample `at`, clipped (in place). */
export function mixInto(a: Int16Array, b: Int16Array, at = 0): Int16Array {
  for (let i = 0; i < b.length && at + i < a.length; i++) {
    a[at + i] = Math.max(-32768, Math.min(32767, (a[at + i] ?? 0) + (b[i] ?? 0)));
  }
  return a;
}
