import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readWav } from '../audio/wav.ts';
import { HighPassPower, NoiseFloor } from './noise-floor.ts';

const wav = (name: string): Int16Array =>
  readWav(readFileSync(new URL(`../../fixtures/speech/set/${name}.wav`, import.meta.url))).samples;

const scaled = (s: Int16Array, gain: number) =>
  s.map((v) => Math.max(-32768, Math.min(32767, Math.round(v * gain))));

/** High-passed power of each 20 ms frame. */
function framePowers(s: Int16Array): number[] {
  const hp = new HighPassPower();
  const out: number[] = [];
  for (let i = 0; i + 160 <= s.length; i += 160) out.push(hp.of(s.subarray(i, i + 160), 8000));
  return out;
}

const db = (ratio: number) => 10 * Math.log10(ratio);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('noise floor (minimum statistics)', () => {
  for (const name of ['noise-pinknoise', 'noise-whitenoise']) {
    for (const gain of [0.3, 1, 3]) {
      it(`${name} x ${gain}: within 0.5 dB of its mean power after 1 s`, () => {
        const powers = framePowers(scaled(wav(name), gain));
        const floor = new NoiseFloor();
        powers.forEach((p, i) => {
          floor.push(p);
          if (i >= 50) expect(Math.abs(db(floor.power / mean(powers)))).toBeLessThan(0.5);
        });
      });
    }
  }

  it('speech over the noise does not raise it (pauses between words)', () => {
    const noise = wav('noise-pinknoise');
    const speech = [
      'en-two-large-pizzas-en-us-160',
      'en-open-address-en-us-160',
      'en-talk-to-a-person-en-us-160',
    ].map(wav);
    const floor = new NoiseFloor();
    const noisePowers = framePowers(noise);
    for (const p of noisePowers.slice(0, 100)) floor.push(p);
    const before = floor.power;
    let at = 0;
    const line = new Int16Array(speech.reduce((n, s) => n + s.length, 0));
    for (const s of speech) {
      line.set(s, at);
      at += s.length;
    }
    for (let i = 0; i < line.length; i++) line[i] = (line[i] ?? 0) + (noise[i % noise.length] ?? 0);
    const powers = framePowers(line);
    expect(mean(powers)).toBeGreaterThan(mean(noisePowers) * 10);
    for (const p of powers) {
      floor.push(p);
      expect(db(floor.power / before)).toBeLessThan(1.5);
    }
  });

  it('follows a louder steady noise within 3.5 s, a quieter one within 0.5 s', () => {
    const quiet = framePowers(wav('noise-pinknoise'));
    const loud = framePowers(scaled(wav('noise-pinknoise'), 10 ** (12 / 20)));
    const floor = new NoiseFloor();
    for (const p of quiet) floor.push(p);
    expect(Math.abs(db(floor.power / mean(quiet)))).toBeLessThan(0.5);
    loud.forEach((p, i) => {
      floor.push(p);
      if (i < 120) expect(db(floor.power / mean(quiet))).toBeLessThan(1);
      if (i >= 175) expect(Math.abs(db(floor.power / mean(loud)))).toBeLessThan(0.5);
    });
    for (const p of quiet.slice(0, 25)) floor.push(p);
    expect(Math.abs(db(floor.power / mean(quiet)))).toBeLessThan(1);
  });

  it('nothing heard yet: no floor', () => {
    const floor = new NoiseFloor();
    expect(floor.known).toBe(false);
    expect(floor.power).toBe(0);
  });
});
