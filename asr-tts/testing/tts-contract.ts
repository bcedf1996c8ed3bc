/**
 * The contract every TtsAdapter passes: frames at the requested rate, 20 ms frames with
 * contiguous timestamps, audible output, prompt abort (barge-in), the rate option, clear
 * TTS_BAD_REQUEST errors for bad input, and independent concurrent syntheses.
 */
import { describe, expect, it } from 'vitest';
import type { AudioFrame, SampleRate } from '../../engine/audio/frame.ts';
import { isVoicebotError } from '../../engine/errors.ts';
import type { Language } from '../asr.ts';
import type { SynthesizeOptions, TtsAdapter } from '../tts.ts';
import { collect } from './collect.ts';
import { joinFrames, rmsOf } from './speech-audio.ts';

export interface TtsContractFixtures {
  language: Language;
  /** A sentence of a second or more. */
  text: string;
  voice?: string;
  timeoutMs?: number;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  return undefined;
}

function durationMs(list: AudioFrame[]): number {
  return list.reduce((ms, f) => ms + (f.samples.length * 1000) / f.sampleRate, 0);
}

export function runTtsContract(name: string, makeAdapter: () => TtsAdapter, fx: TtsContractFixtures): void {
  const timeoutMs = fx.timeoutMs ?? 20_000;
  const opts = (extra: Partial<SynthesizeOptions> = {}): SynthesizeOptions => ({
    language: fx.language,
    sampleRate: 8000,
    ...(fx.voice === undefined ? {} : { voice: fx.voice }),
    ...extra,
  });
  const expectBadRequest = async (p: Promise<unknown>, mention: RegExp) => {
    const err = await rejection(p);
    expect(isVoicebotError(err) ? err.code : err).toBe('TTS_BAD_REQUEST');
    expect(isVoicebotError(err) && err.retryable).toBe(false);
    expect((err as Error).message).toMatch(mention);
  };

  describe(`TtsAdapter contract: ${name}`, () => {
    it('declares its capabilities', () => {
      const a = makeAdapter();
      expect(a.capabilities.languages).toContain(fx.language);
      expect(a.capabilities.sampleRates).toEqual(expect.arrayContaining([8000, 16000]));
    });

    for (const rate of [8000, 16000] as SampleRate[]) {
      it(`streams audible 20 ms frames at ${rate} Hz with contiguous timestamps`, async () => {
        const list = await collect(makeAdapter().synthesize(fx.text, opts({ sampleRate: rate })), timeoutMs);
        expect(list.length).toBeGreaterThan(10);
        list.forEach((f, i) => {
          expect(f.sampleRate).toBe(rate);
          if (i < list.length - 1) expect(f.samples.length).toBe(rate / 50);
          else expect(f.samples.length).toBeLessThanOrEqual(rate / 50);
          expect(f.timestampMs).toBe(i * 20);
        });
        expect(rmsOf(joinFrames(list))).toBeGreaterThan(200);
      });
    }

    it('stops promptly when the signal aborts (barge-in), without throwing', async () => {
      const ac = new AbortController();
      const got: AudioFrame[] = [];
      let abortedAt = 0;
      for await (const f of makeAdapter().synthesize(fx.text, opts(), ac.signal)) {
        got.push(f);
        if (got.length === 1) {
          ac.abort();
          abortedAt = Date.now();
        }
      }
      expect(Date.now() - abortedAt).toBeLessThan(500);
      const full = await collect(makeAdapter().synthesize(fx.text, opts()), timeoutMs);
      expect(got.length).toBeLessThan(full.length);
    });

    it('yields nothing for an already aborted signal', async () => {
      const list = await collect(makeAdapter().synthesize(fx.text, opts(), AbortSignal.abort()), timeoutMs);
      expect(list).toEqual([]);
    });

    it('a slower rate makes longer audio', async () => {
      const a = makeAdapter();
      const slow = durationMs(await collect(a.synthesize(fx.text, opts({ rate: 0.7 })), timeoutMs));
      const fast = durationMs(await collect(a.synthesize(fx.text, opts({ rate: 1.4 })), timeoutMs));
      expect(slow).toBeGreaterThan(fast * 1.3);
    });

    it('an unsupported language is a clear TTS_BAD_REQUEST', async () => {
      await expectBadRequest(
        collect(makeAdapter().synthesize(fx.text, opts({ language: 'xx-XX' as Language })), timeoutMs),
        /xx-XX/,
      );
    });

    it('an unknown voice is a clear TTS_BAD_REQUEST', async () => {
      await expectBadRequest(
        collect(makeAdapter().synthesize(fx.text, opts({ voice: 'no-such-voice' })), timeoutMs),
        /no-such-voice/,
      );
    });

    it('empty text and an out-of-range rate are clear TTS_BAD_REQUEST errors', async () => {
      await expectBadRequest(collect(makeAdapter().synthesize('  ', opts()), timeoutMs), /text/);
      await expectBadRequest(
        collect(makeAdapter().synthesize(fx.text, opts({ rate: 0 })), timeoutMs),
        /rate/,
      );
      await expectBadRequest(
        collect(makeAdapter().synthesize(fx.text, opts({ rate: Number.NaN })), timeoutMs),
        /rate/,
      );
    });

    it('runs two syntheses at once independently', async () => {
      const a = makeAdapter();
      const [x, y] = await Promise.all([
        collect(a.synthesize(fx.text, opts()), timeoutMs),
        collect(a.synthesize(fx.text, opts({ sampleRate: 16000 })), timeoutMs),
      ]);
      expect(Math.abs(durationMs(x) - durationMs(y))).toBeLessThan(100);
      expect(x[0]!.sampleRate).toBe(8000);
      expect(y[0]!.sampleRate).toBe(16000);
      await a.close?.();
    });
  });
}
