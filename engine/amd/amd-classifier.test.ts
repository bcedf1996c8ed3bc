import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AudioFrame } from '../audio/frame.ts';
import { isVoicebotError } from '../errors.ts';
import { AMD_DEFAULTS, AmdClassifier } from './amd-classifier.ts';

const RATE = 8000;
/** A voice-like signal: a 200 Hz square-ish wave with mean |sample| ~2000 (well over 256). */
const voice = (ms: number) =>
  Int16Array.from({ length: (ms * RATE) / 1000 }, (_, i) => (i % 40 < 20 ? 2000 : -2000));
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

function classify(samples: Int16Array, chunk = 160, params = {}) {
  const amd = new AmdClassifier(params);
  for (let i = 0; i < samples.length; i += chunk) {
    const frame: AudioFrame = {
      samples: samples.subarray(i, i + chunk),
      sampleRate: RATE,
      timestampMs: (i * 1000) / RATE,
    };
    if (amd.push(frame)) break;
  }
  return amd.result;
}

describe('AmdClassifier (app_amd rules)', () => {
  it('1 s silence + 0.6 s "hello" + silence -> HUMAN after 800 ms of silence', () => {
    expect(classify(concat(silence(1000), voice(600), silence(3000)))).toEqual({
      result: 'HUMAN',
      reason: 'HUMAN',
      atMs: 2400,
      words: 1,
      voiceMs: 600,
    });
  });

  it('continuous speech -> MACHINE (long greeting) at 1.5 s', () => {
    expect(classify(voice(4000))).toMatchObject({ result: 'MACHINE', reason: 'LONGGREETING', atMs: 1500 });
  });

  it('2.5 s of silence -> MACHINE (initial silence)', () => {
    expect(classify(silence(4000))).toMatchObject({
      result: 'MACHINE',
      reason: 'INITIALSILENCE',
      atMs: 2500,
    });
  });

  it('3 words -> MACHINE (maximum number of words) as the third word is long enough', () => {
    const words = concat(
      silence(500),
      voice(200),
      silence(200),
      voice(200),
      silence(200),
      voice(300),
      silence(2000),
    );
    // third word starts at 1300 ms and counts after minimumWordLength (100 ms)
    expect(classify(words)).toMatchObject({ result: 'MACHINE', reason: 'MAXWORDS', words: 3, atMs: 1400 });
  });

  it('bursts shorter than minimumWordLength are not words', () => {
    const clicks = concat(
      silence(300),
      voice(60),
      silence(100),
      voice(60),
      silence(100),
      voice(60),
      silence(3000),
    );
    expect(classify(clicks)).toMatchObject({ result: 'MACHINE', reason: 'INITIALSILENCE', words: 0 });
  });

  it('one very long word -> MACHINE (maximum word length) when the greeting limit is off', () => {
    const r = classify(voice(3000), 160, { greetingMs: 10_000, maximumWordLengthMs: 2000 });
    expect(r).toMatchObject({ result: 'MACHINE', reason: 'MAXWORDLENGTH', atMs: 2000 });
  });

  it('nothing decisive within totalAnalysisTime -> NOTSURE (too long)', () => {
    const r = classify(
      concat(silence(500), voice(400), silence(600), voice(400), silence(600), voice(400), silence(3000)),
      160,
      {
        maximumNumberOfWords: 10,
        afterGreetingSilenceMs: 1000,
        greetingMs: 3000,
        totalAnalysisTimeMs: 3000,
      },
    );
    expect(r).toMatchObject({ result: 'NOTSURE', reason: 'TOOLONG', atMs: 3000 });
  });

  it('silenceThreshold decides what is voice: a quiet "hello" (mean |x| 200) is silence by default', () => {
    const quiet = concat(
      silence(500),
      voice(600).map((v) => v / 10),
      silence(3000),
    );
    expect(classify(quiet)?.reason).toBe('INITIALSILENCE');
    expect(classify(quiet, 160, { silenceThreshold: 100 })?.result).toBe('HUMAN');
  });

  it('noiseFloorFactor: a "hello" over steady line noise louder than silenceThreshold is still a HUMAN', () => {
    let seed = 12345;
    const noise = (ms: number) =>
      Int16Array.from({ length: (ms * RATE) / 1000 }, () => {
        seed = (seed * 1103515245 + 12345) >>> 0;
        return Math.round(((seed >>> 16) / 65536 - 0.5) * 1600); // mean |x| ~400
      });
    const hello = voice(600).map((v, i) => v * 2 + noise(1)[i % 8]!);
    const signal = concat(noise(1000), hello, noise(3000));
    expect(classify(signal)?.result).not.toBe('HUMAN'); // app_amd hears the noise as voice
    expect(classify(signal, 160, { noiseFloorFactor: 3 })).toMatchObject({
      result: 'HUMAN',
      reason: 'HUMAN',
    });
  });

  it('works at 16 kHz the same way', () => {
    const amd = new AmdClassifier();
    const s = new Int16Array(16 * 3000);
    const r = amd.push({ samples: s, sampleRate: 16000, timestampMs: 0 });
    expect(r).toMatchObject({ result: 'MACHINE', reason: 'INITIALSILENCE', atMs: 2500 });
  });

  it('decides the same whatever the chunk sizes of the input', () => {
    const signal = concat(silence(700), voice(300), silence(120), voice(500), silence(1500));
    const reference = classify(signal);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), (chunk) => {
        expect(classify(signal, chunk)).toEqual(reference);
      }),
      { numRuns: 40 },
    );
  });

  it('keeps its decision once made', () => {
    const amd = new AmdClassifier();
    const first = amd.push({ samples: silence(3000), sampleRate: RATE, timestampMs: 0 });
    expect(amd.push({ samples: voice(3000), sampleRate: RATE, timestampMs: 3000 })).toBe(first);
  });

  it('refuses bad parameters with AMD_BAD_PARAMETERS naming the parameter', () => {
    for (const bad of [
      { greetingMs: -1 },
      { silenceThreshold: Number.NaN },
      { maximumNumberOfWords: 0 },
      { initialSilenceMs: '5' as unknown as number },
    ]) {
      let err: unknown;
      try {
        new AmdClassifier(bad);
      } catch (e) {
        err = e;
      }
      expect(isVoicebotError(err) && err.code).toBe('AMD_BAD_PARAMETERS');
    }
    expect(new AmdClassifier().params).toEqual(AMD_DEFAULTS);
  });
});
