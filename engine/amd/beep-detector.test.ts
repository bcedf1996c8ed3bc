import { describe, expect, it } from 'vitest';
import { generateDtmf } from '../audio/dtmf-generator.ts';
import { toFrames } from '../audio/frame.ts';
import { isVoicebotError } from '../errors.ts';
import { BeepDetector } from './beep-detector.ts';

const RATE = 8000;
const tone = (hz: number, ms: number, amp = 8000) =>
  Int16Array.from({ length: (ms * RATE) / 1000 }, (_, i) =>
    Math.round(amp * Math.sin((2 * Math.PI * hz * i) / RATE)),
  );
const silence = (ms: number) => new Int16Array((ms * RATE) / 1000);
const concat = (...parts: Int16Array[]) => {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

function beeps(samples: Int16Array, options = {}) {
  const d = new BeepDetector(options);
  return [...toFrames(samples, RATE)].flatMap((f) => d.push(f));
}

describe('BeepDetector', () => {
  it('finds a 1000 Hz beep of 200 ms and reports its start, end and frequency', () => {
    const found = beeps(concat(silence(500), tone(1000, 200), silence(500)));
    expect(found).toHaveLength(1);
    expect(found[0]!.frequencyHz).toBe(1000);
    expect(Math.abs(found[0]!.startMs - 500)).toBeLessThanOrEqual(20);
    expect(Math.abs(found[0]!.endMs - 700)).toBeLessThanOrEqual(20);
  });

  it('finds beeps across the 600-1100 Hz band, off-bin frequencies included', () => {
    for (const hz of [600, 733, 850, 977, 1100]) {
      const found = beeps(concat(silence(100), tone(hz, 300), silence(200)));
      expect(found, `${hz} Hz`).toHaveLength(1);
      expect(Math.abs(found[0]!.frequencyHz - hz)).toBeLessThanOrEqual(20);
    }
  });

  it('ignores tones that are too short, too quiet or out of the band', () => {
    expect(beeps(concat(silence(100), tone(1000, 60), silence(300)))).toEqual([]);
    expect(beeps(concat(silence(100), tone(1000, 300, 200), silence(300)))).toEqual([]);
    expect(beeps(concat(silence(100), tone(400, 300), silence(300)))).toEqual([]);
    expect(beeps(concat(silence(100), tone(1800, 300), silence(300)))).toEqual([]);
  });

  it('a configurable band finds a 440 Hz beep', () => {
    expect(beeps(concat(tone(440, 300), silence(100)), { minHz: 400, maxHz: 2000 })).toHaveLength(1);
  });

  it('DTMF (two tones) is not a beep', () => {
    for (const digit of ['1', '5', '9', '#']) {
      expect(
        beeps(concat(silence(100), generateDtmf(digit, { durationMs: 300 }), silence(200))),
        digit,
      ).toEqual([]);
    }
  });

  it('a tone that goes on is reported at maxBeepMs, once', () => {
    const found = beeps(tone(900, 3000), { maxBeepMs: 1000 });
    expect(found).toHaveLength(1);
    expect(found[0]!.endMs - found[0]!.startMs).toBe(1000);
  });

  it('two beeps with a gap are two events; the result does not depend on chunk sizes', () => {
    const signal = concat(silence(100), tone(1000, 200), silence(300), tone(700, 200), silence(100));
    const d = new BeepDetector();
    const out = [];
    for (let i = 0; i < signal.length; i += 37) {
      out.push(
        ...d.push({ samples: signal.subarray(i, i + 37), sampleRate: RATE, timestampMs: (i * 1000) / RATE }),
      );
    }
    expect(out.map((b) => b.frequencyHz)).toEqual([1000, 700]);
    expect(out).toEqual(beeps(signal));
  });

  it('refuses a bad band with AMD_BAD_PARAMETERS', () => {
    let err: unknown;
    try {
      new BeepDetector({ minHz: 1200, maxHz: 900 });
    } catch (e) {
      err = e;
    }
    expect(isVoicebotError(err) && err.code).toBe('AMD_BAD_PARAMETERS');
  });
});
