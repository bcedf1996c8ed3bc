import { afterAll, describe, expect, it } from 'vitest';
import { VoicebotError } from '../errors.ts';
import { toFrames } from './frame.ts';
import { halfBandTaps, Resampler, resample, resampleFrame } from './resample.ts';
import { synth, tempDir } from './testing/sox.ts';

const dir = tempDir();
afterAll(() => dir.cleanup());

/** RMS of the middle part (skips filter start-up and tail). */
function midRms(s: Int16Array, skip = 200): number {
  let sum = 0;
  for (let i = skip; i < s.length - skip; i++) sum += s[i]! * s[i]!;
  return Math.sqrt(sum / (s.length - 2 * skip));
}

/** Amplitude of the `freq` component (Goertzel over the middle part). */
function toneAmplitude(s: Int16Array, rate: number, freq: number, skip = 200): number {
  const n = s.length - 2 * skip;
  const w = (2 * Math.PI * freq) / rate;
  let re = 0;
  let im = 0;
  for (let i = 0; i < n; i++) {
    re += s[skip + i]! * Math.cos(w * i);
    im -= s[skip + i]! * Math.sin(w * i);
  }
  return (2 * Math.hypot(re, im)) / n;
}

const db = (a: number, b: number) => 20 * Math.log10(a / b);

describe('half-band filter', () => {
  it('is a symmetric half-band with unity DC gain', () => {
    const h = halfBandTaps();
    expect(h.length).toBe(71);
    expect(h[35]).toBeCloseTo(0.5, 12);
    expect(h.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    for (let k = 0; k < 71; k++) {
      expect(h[k]).toBeCloseTo(h[70 - k]!, 15);
      if (k !== 35 && (k - 35) % 2 === 0) expect(h[k]).toBe(0);
    }
  });

  it('has > 60 dB stopband from 4.6 kHz and < 0.05 dB ripple up to 3.4 kHz', () => {
    const h = halfBandTaps();
    const gainAt = (f: number) => {
      let re = 0;
      let im = 0;
      for (let k = 0; k < h.length; k++) {
        re += h[k]! * Math.cos((2 * Math.PI * f * k) / 16000);
        im += h[k]! * Math.sin((2 * Math.PI * f * k) / 16000);
      }
      return 20 * Math.log10(Math.hypot(re, im));
    };
    for (let f = 0; f <= 3400; f += 50) expect(Math.abs(gainAt(f))).toBeLessThan(0.05);
    for (let f = 4600; f <= 8000; f += 50) expect(gainAt(f)).toBeLessThan(-60);
  });
});

describe('Resampler 16k -> 8k', () => {
  it('passes a 1 kHz tone with < 0.5 dB change', () => {
    const tone = synth(16000, ['synth', '1', 'sine', '1000', 'vol', '0.5'], dir);
    const out = resample(tone, 16000, 8000);
    expect(out.length).toBe(8000);
    expect(Math.abs(db(midRms(out), midRms(tone)))).toBeLessThan(0.5);
  });

  it('attenuates a 5 kHz tone by > 50 dB and does not alias it to 3 kHz', () => {
    const tone = synth(16000, ['synth', '1', 'sine', '5000', 'vol', '0.9'], dir);
    const out = resample(tone, 16000, 8000);
    const inLevel = midRms(tone);
    expect(db(midRms(out), inLevel)).toBeLessThan(-50);
    expect(db(toneAmplitude(out, 8000, 3000) / Math.SQRT2, inLevel)).toBeLessThan(-50);
  });

  it('attenuates every tone from 4.6 to 7.8 kHz by > 60 dB (sox sine sweep points)', () => {
    for (const f of [4600, 5000, 6000, 7000, 7800]) {
      const tone = synth(16000, ['synth', '0.5', 'sine', String(f), 'vol', '0.9'], dir);
      expect(db(midRms(resample(tone, 16000, 8000)), midRms(tone))).toBeLessThan(-60);
    }
  });

  it('reports and has a delay of 17 samples (2.125 ms)', () => {
    const r = new Resampler({ from: 16000, to: 8000 });
    expect(r.delaySamples).toBe(17);
    expect(r.delayMs).toBeCloseTo(2.125, 9);
    const impulse = new Int16Array(400);
    impulse[200] = 20000;
    const out = r.process(impulse);
    let peak = 0;
    for (let i = 1; i < out.length; i++) if (Math.abs(out[i]!) > Math.abs(out[peak]!)) peak = i;
    expect(peak).toBe(100 + 17);
  });
});

describe('Resampler 8k -> 16k', () => {
  it('passes a 1 kHz tone with < 0.5 dB change and no 7 kHz image (> 60 dB down)', () => {
    const tone = synth(8000, ['synth', '1', 'sine', '1000', 'vol', '0.5'], dir);
    const out = resample(tone, 8000, 16000);
    expect(out.length).toBe(16000);
    expect(Math.abs(db(midRms(out), midRms(tone)))).toBeLessThan(0.5);
    expect(db(toneAmplitude(out, 16000, 7000), toneAmplitude(out, 16000, 1000))).toBeLessThan(-60);
  });

  it('reports and has a delay of 35 samples (2.1875 ms); odd outputs are the input itself', () => {
    const r = new Resampler({ from: 8000, to: 16000 });
    expect(r.delaySamples).toBe(35);
    expect(r.delayMs).toBeCloseTo(2.1875, 9);
    const x = synth(8000, ['synth', '0.1', 'whitenoise', 'vol', '0.3'], dir);
    const y = r.process(x);
    for (let i = 17; i < x.length; i++) expect(y[2 * i + 1]).toBe(x[i - 17]);
  });

  it('8k -> 16k -> 8k keeps band-limited speech-band noise (SNR > 40 dB)', () => {
    const noise = synth(8000, ['synth', '1', 'whitenoise', 'sinc', '-3400', 'vol', '0.3'], dir);
    const back = resample(resample(noise, 8000, 16000), 16000, 8000);
    const diff = new Int16Array(noise.length);
    for (let i = 0; i < noise.length; i++) diff[i] = noise[i]! - back[i]!;
    expect(db(midRms(noise), midRms(diff))).toBeGreaterThan(40);
  });
});

describe('streaming', () => {
  it.each([
    [16000, 8000],
    [8000, 16000],
  ] as const)('%i -> %i: frames of any size give exactly the one-shot output', (from, to) => {
    const x = synth(from, ['synth', '0.7', 'sine', '300-3300', 'vol', '0.8'], dir);
    const whole = resample(x, from, to);
    for (const sizes of [[320], [160], [1, 7, 33, 320, 2, 99], [641]]) {
      const r = new Resampler({ from, to });
      const parts: Int16Array[] = [];
      let i = 0;
      for (let k = 0; i < x.length; k++) {
        const n = sizes[k % sizes.length]!;
        parts.push(r.process(x.subarray(i, i + n)));
        i += n;
      }
      parts.push(r.flush());
      const joined = new Int16Array(parts.reduce((a, p) => a + p.length, 0));
      let o = 0;
      for (const p of parts) {
        joined.set(p, o);
        o += p.length;
      }
      expect(joined.subarray(r.delaySamples, r.delaySamples + whole.length)).toEqual(whole);
    }
  });

  it('converts AudioFrames one for one (20 ms in, 20 ms out, same timestamps)', () => {
    const x = synth(8000, ['synth', '0.2', 'sine', '440'], dir);
    const r = new Resampler({ from: 8000, to: 16000 });
    for (const f of toFrames(x, 8000, 1000)) {
      const out = r.processFrame(f);
      expect(out.sampleRate).toBe(16000);
      expect(out.samples.length).toBe(320);
      expect(out.timestampMs).toBe(f.timestampMs);
    }
    const one = resampleFrame({ samples: x.subarray(0, 320), sampleRate: 16000, timestampMs: 5 }, 8000);
    expect(one.samples.length).toBe(160);
  });

  it('writes into a caller buffer and passes same-rate audio through', () => {
    const r = new Resampler({ from: 16000, to: 8000 });
    const out = new Int16Array(160);
    expect(r.process(new Int16Array(320), out)).toBe(out);
    const same = new Resampler({ from: 8000, to: 8000 });
    expect(same.delaySamples).toBe(0);
    expect(Array.from(same.process(new Int16Array([1, 2, 3])))).toEqual([1, 2, 3]);
  });

  it('rejects unsupported rates and wrong-rate frames with clear errors', () => {
    expect(() => new Resampler({ from: 44100 as 8000, to: 8000 })).toThrow(/from rate 44100 Hz/);
    const r = new Resampler({ from: 8000, to: 16000 });
    try {
      r.processFrame({ samples: new Int16Array(320), sampleRate: 16000, timestampMs: 0 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(VoicebotError);
      expect((e as VoicebotError).code).toBe('AUDIO_BAD_RATE');
    }
  });
});
