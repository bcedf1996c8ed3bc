import { expect, it } from 'vitest';
import type { Disposition } from '../model.ts';
import type { CampaignStore } from './types.ts';

/**
 * Conformance cases for the abandon-rate window and the not-dialed report, run inside
 * `storeConformance` on each backend. `running` makes a running campaign with `count` contacts.
 */
export function abandonConformance(
  fresh: () => Promise<CampaignStore>,
  running: (store: CampaignStore, id: string, count: number) => Promise<void>,
  t0: number,
): void {
  const LEASE = 60_000;
  const MIN = 60_000;

  async function finish(
    store: CampaignStore,
    attemptId: string,
    disposition: Disposition,
    endedAtMs: number,
    data?: Record<string, unknown>,
    next: number | null = null,
  ) {
    const r = await store.recordResult(attemptId, {
      disposition,
      endedAtMs,
      nextAttemptAtMs: next,
      countsAsAttempt: true,
      ...(data ? { data } : {}),
    });
    expect(r).toEqual({ status: 'recorded' });
  }

  it('counts live answers and abandoned calls of a campaign since a time, for every worker or one', async () => {
    const store = await fresh();
    await running(store, 'a', 12);
    await running(store, 'b', 1);
    const w1 = await store.claimDue('a', t0, 10, LEASE, 'w1');
    const results: [Disposition, Record<string, unknown> | undefined][] = [
      ['answered', undefined], // live (no flag: a person ran through the script)
      ['answered', { answers: { amd: 'MACHINE' } }], // AMD mode continue on a machine: not live
      ['answered', { liveAnswer: false }], // the result says no person
      ['machine', { liveAnswer: true }], // the result's flag wins
      ['voicemail-left', undefined],
      ['opt-out', undefined], // live
      ['abandoned', undefined], // live and abandoned
      ['abandoned', { liveAnswer: false }], // a drop is always a live answer
      ['busy', undefined],
      ['not-dialed', { reason: 'outside_window' }],
    ];
    for (const [i, [d, data]] of results.entries()) await finish(store, w1[i]!.attemptId, d, t0 + MIN, data);
    const [late] = await store.claimDue('a', t0 + 5 * MIN, 1, LEASE, 'w2');
    await finish(store, late!.attemptId, 'abandoned', t0 + 10 * MIN, { liveAnswer: true });
    const [open] = await store.claimDue('a', t0 + 5 * MIN, 1, LEASE, 'w2'); // no result yet
    const [other] = await store.claimDue('b', t0, 1, LEASE, 'w1');
    await finish(store, other!.attemptId, 'abandoned', t0 + MIN);

    expect(await store.abandonCounts('a', t0)).toEqual({ liveAnswers: 6, abandoned: 3 });
    // The window starts after the first results ended: only the late drop is left.
    expect(await store.abandonCounts('a', t0 + MIN + 1)).toEqual({ liveAnswers: 1, abandoned: 1 });
    expect(await store.abandonCounts('a', t0 + 11 * MIN)).toEqual({ liveAnswers: 0, abandoned: 0 });
    expect(await store.abandonCounts('a', t0, 'w1')).toEqual({ liveAnswers: 5, abandoned: 2 });
    expect(await store.abandonCounts('a', t0, 'w2')).toEqual({ liveAnswers: 1, abandoned: 1 });
    expect(await store.abandonCounts('b', t0)).toEqual({ liveAnswers: 1, abandoned: 1 });
    expect(await store.abandonCounts('none', t0)).toEqual({ liveAnswers: 0, abandoned: 0 });
    // A lease that expires is not a result: its attempt never counts.
    await store.claimDue('a', t0 + 5 * MIN + LEASE, 1, LEASE, 'w3');
    expect((await store.listAttempts(open!.contact.id))[0]!.disposition).toBe('lease-expired');
    expect(await store.abandonCounts('a', t0)).toEqual({ liveAnswers: 6, abandoned: 3 });
  });

  it('reports contacts whose latest result is not-dialed, by reason', async () => {
    const store = await fresh();
    await running(store, 'a', 5);
    const c = await store.claimDue('a', t0, 5, LEASE, 'w1');
    await finish(store, c[0]!.attemptId, 'not-dialed', t0, { reason: 'no_consent' });
    await finish(store, c[1]!.attemptId, 'not-dialed', t0, { reason: 'no_consent' });
    await finish(store, c[2]!.attemptId, 'not-dialed', t0, { reason: 'outside_window' }, t0 + MIN);
    await finish(store, c[3]!.attemptId, 'not-dialed', t0, { reason: 'outside_window' }, t0 + MIN);
    await finish(store, c[4]!.attemptId, 'answered', t0);
    const [again] = await store.claimDue('a', t0 + MIN, 1, LEASE, 'w1');
    await finish(store, again!.attemptId, 'busy', t0 + MIN, undefined, t0 + 60 * MIN);
    expect(await store.notDialedReasons('a')).toEqual({ no_consent: 2, outside_window: 1 });
    expect(await store.notDialedReasons('none')).toEqual({});
  });
}

/**
 * Results stored before migration 2 (no live_answer column): what the backfill must make of
 * them (the fallback rule of live-answer.ts). Each backend's test inserts them at version 1.
 */
export const LEGACY_RESULTS: readonly { disposition: Disposition; data: Record<string, unknown> | null }[] = [
  { disposition: 'answered', data: { answers: { outcome: 'confirmed' } } },
  { disposition: 'answered', data: { answers: { amd: 'MACHINE' } } },
  { disposition: 'answered', data: null },
  { disposition: 'opt-out', data: {} },
  { disposition: 'abandoned', data: {} },
  { disposition: 'voicemail-left', data: { answers: { amd: 'MACHINE' } } },
  { disposition: 'busy', data: { code: 486 } },
];
export const LEGACY_COUNTS = { liveAnswers: 4, abandoned: 1 };
