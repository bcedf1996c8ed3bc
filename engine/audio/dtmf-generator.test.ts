import { describe, expect, it } from 'vitest';
import { detectDtmf } from './dtmf-detector.ts';
import { generateDtmf, generateDtmfSequence } from './dtmf-generator.ts';
import { DTMF_DIGITS } from './dtmf-tones.ts';
import { rms } from './pcm.ts';

const digits = (events: { digit: string }[]) => events.map((e) => e.digit).join('');

describe('DTMF generator', () => {
  it('makes tones the detector (and the key table) agree on, for every key at 8 and 16 kHz', () => {
    for (const rate of [8000, 16000] as const) {
      const x = generateDtmfSequence(DTMF_DIGITS, {
        durationMs: 70,
        gapMs: 50,
        levelDbfs: -12,
        sampleRate: rate,
      });
      expect(x.length).toBe(((16 * 70 + 15 * 50) * rate) / 1000);
      expect(digits(detectDtmf(x, { sampleRate: rate }))).toBe(DTMF_DIGITS);
    }
  });

  it('produces the requested level and length, with ramped edges', () => {
    const x = generateDtmf('5', { durationMs: 200, levelDbfs: -10 });
    expect(x.length).toBe(1600);
    // Two equal tones of peak A have RMS A (each A/sqrt2); -10 dBFS peak per tone.
    expect(20 * Math.log10(rms(x.subarray(100, 1500)) / 32767)).toBeCloseTo(-10, 0);
    expect(Math.abs(x[0]!)).toBe(0);
    expect(Math.abs(x[1599]!)).toBeLessThan(200);
  });

  it('rejects bad keys and parameters with clear errors', () => {
    expect(() => generateDtmf('E')).toThrow(/'E' is not a DTMF key/);
    expect(() => generateDtmf('1', { durationMs: 0 })).toThrow(/duration 0 ms/);
    expect(() => generateDtmf('1', { levelDbfs: 3 })).toThrow(/must be <= 0/);
    expect(generateDtmf('a').length).toBe(800);
  });
});
