import { describe, expect, it } from 'vitest';
import { RationalResampler } from './rational-resampler.ts';

function tone(hz: number, rate: number, seconds: number, amp = 10000): Int16Array {
  return Int16Array.from({ length: Math.round(rate * seconds) }, (_, i) =>
    Math.round(amp * Math.sin((2 * Math.PI * hz * i) / rate)),
  );
}

function rms(s: Int16Array, from = 0, to = s.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += s[i]! * s[i]!;
  return Math.sqrt(sum / (to - from));
}

function convert(r: RationalResampler, x: Int16Array, chunk: number): Int16Array {
  const parts: Int16Array[] = [];
  for (let i = 0; i < x.length; i += chunk) parts.push(r.process(x.subarray(i, i + chunk)));
  parts.push(r.flush());
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe('RationalResampler (22050 Hz -> 8/16 kHz)', () => {
  for (const out of [8000, 16000]) {
    it(`to ${out} Hz: keeps a 1 kHz tone (level, zero phase), length = ceil(n * out / in)`, () => {
      const x = tone(1000, 22050, 1);
      const y = convert(new RationalResampler(22050, out), x, 441);
      expect(y.length).toBe(Math.ceil((x.length * out) / 22050));
      const mid = [Math.round(out * 0.2), Math.round(out * 0.8)] as const;
      expect(rms(y, ...mid) / rms(x)).toBeCloseTo(1, 2);
      const ref = tone(1000, out, 1);
      let err = 0;
      for (let i = mid[0]; i < mid[1]; i++) err = Math.max(err, Math.abs(y[i]! - ref[i]!));
      expect(err).toBeLessThan(60);
    });

    it(`to ${out} Hz: a tone above the new Nyquist frequency is removed (> 50 dB)`, () => {
      const hz = out / 2 + 1500;
      const y = convert(new RationalResampler(22050, out), tone(hz, 22050, 1), 1000);
      expect(20 * Math.log10(rms(y, 1000, y.length - 1000) / (10000 / Math.SQRT2))).toBeLessThan(-50);
    });
  }

  it('chunking does not change the output', () => {
    const x = tone(700, 22050, 0.5);
    const a = convert(new RationalResampler(22050, 8000), x, 100_000);
    const b = convert(new RationalResampler(22050, 8000), x, 37);
    expect(b).toEqual(a);
  });
});
