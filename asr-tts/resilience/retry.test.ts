import { describe, expect, it } from 'vitest';
import { VoicebotError } from '../../engine/errors.ts';
import { backoffDelayMs, retry } from './retry.ts';

describe('retry', () => {
  it('retries retryable errors with exponential, jittered, capped delays', async () => {
    const delays: number[] = [];
    let calls = 0;
    const result = await retry(
      async () => {
        calls++;
        if (calls < 4) throw new VoicebotError('ASR_UNAVAILABLE', 'down');
        return 'ok';
      },
      {
        retries: 5,
        baseDelayMs: 100,
        maxDelayMs: 300,
        random: () => 1,
        sleep: async (ms) => void delays.push(ms),
      },
    );
    expect(result).toBe('ok');
    expect(delays).toEqual([100, 200, 300]);
  });

  it('full jitter spreads the delay between 0 and the cap', () => {
    expect(backoffDelayMs(3, 100, 10_000, () => 0)).toBe(0);
    expect(backoffDelayMs(3, 100, 10_000, () => 0.5)).toBe(400);
    expect(backoffDelayMs(10, 100, 1000, () => 0.999)).toBe(999);
  });

  it('never retries a non-retryable error, and gives up after the last retry', async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new VoicebotError('ASR_BAD_REQUEST', 'bad language');
        },
        { retries: 3, sleep: async () => {} },
      ),
    ).rejects.toMatchObject({ code: 'ASR_BAD_REQUEST' });
    expect(calls).toBe(1);
    calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new VoicebotError('TTS_TIMEOUT', 'slow');
        },
        { retries: 2, sleep: async () => {} },
      ),
    ).rejects.toMatchObject({ code: 'TTS_TIMEOUT' });
    expect(calls).toBe(3);
  });

  it('stops waiting when aborted', async () => {
    const ac = new AbortController();
    const p = retry(
      async () => {
        throw new VoicebotError('ASR_UNAVAILABLE', 'down');
      },
      { retries: 5, baseDelayMs: 10_000, random: () => 1, signal: ac.signal },
    );
    setTimeout(() => ac.abort(new Error('hung up')), 20);
    await expect(p).rejects.toThrow('hung up');
  });
});
