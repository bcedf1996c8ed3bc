import { describe, expect, it } from 'vitest';
import { waitFor } from './wait-for.ts';

describe('waitFor', () => {
  it('resolves with the first truthy value of the check', async () => {
    let n = 0;
    await expect(
      waitFor(() => ++n >= 3 && `after ${n}`, { what: 'n', timeoutMs: 1000, intervalMs: 1 }),
    ).resolves.toBe('after 3');
  });

  it('times out naming what was awaited, how long and the detail', async () => {
    await expect(
      waitFor(() => false, {
        what: 'the goodbye',
        timeoutMs: 30,
        intervalMs: 5,
        detail: () => '; last: "hi"',
      }),
    ).rejects.toThrow('timed out after 30 ms waiting for the goodbye; last: "hi"');
  });

  it('stops at once with the reason stopIf gives', async () => {
    const started = performance.now();
    await expect(
      waitFor(() => false, { what: 'the goodbye', timeoutMs: 10_000, stopIf: () => 'the call ended' }),
    ).rejects.toThrow('the call ended while waiting for the goodbye');
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
