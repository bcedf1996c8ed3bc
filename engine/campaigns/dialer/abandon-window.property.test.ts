import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Disposition } from '../model.ts';
import { campaignInput, contact } from '../store/conformance.ts';
import { SqliteCampaignStore } from '../store/sqlite-store.ts';
import { VirtualClock } from './clock.ts';
import { Dialer } from './dialer.ts';
import { VirtualCarrier } from './testing/virtual-carrier.ts';

/**
 * The dialer's abandon window in virtual time: other engine processes record results on the
 * shared store over two days (UK profile: 3% per 24 h); at every checkpoint the dialer's
 * window holds exactly the live answers and drops of the last 24 h, so old drops leave it.
 */

const MIN = 60_000;
const DAY = 1440 * MIN;
const SLOT = 30 * MIN;
const T0 = Date.parse('2026-03-02T00:00:00Z');
const FAR = T0 + 30 * DAY; // contacts are never due for the dialer itself
const KINDS = ['answered', 'abandoned', 'machine', 'busy'] as const;

const scenarioArb = fc.record({
  // Results at 30-minute marks, checks 15 minutes after one: a sync up to 10 minutes old sees the same.
  events: fc.array(
    fc.record({
      slot: fc.integer({ min: 0, max: (2 * DAY) / SLOT }),
      kind: fc.constantFrom(...KINDS),
      worker: fc.constantFrom('w2', 'w3'),
    }),
    { minLength: 1, maxLength: 30 },
  ),
  checks: fc.uniqueArray(fc.integer({ min: 0, max: (2 * DAY) / SLOT }), { minLength: 1, maxLength: 6 }),
});

describe('abandon window properties', () => {
  it('the window holds exactly the live answers and drops of the period, every process counted', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        const store = await SqliteCampaignStore.open(':memory:');
        try {
          await store.createCampaign(campaignInput('win', { compliance: 'UK' }), T0);
          await store.setCampaignStatus('win', 'running');
          await store.addContacts(
            'win',
            s.events.map((_, i) => contact(`+1212555${String(1000 + i)}`, i + 2)),
            FAR,
          );
          const clock = new VirtualClock(T0);
          const ends = s.events.map((e) => T0 + e.slot * SLOT);
          s.events.forEach((e, i) => {
            void clock.sleep(ends[i]! - T0).then(async () => {
              const [c] = await store.claimDue('win', FAR, 1, 60 * DAY, e.worker);
              await store.recordResult(c!.attemptId, {
                disposition: e.kind as Disposition,
                endedAtMs: clock.now(),
                nextAttemptAtMs: null,
                countsAsAttempt: true,
              });
            });
          });
          const carrier = new VirtualCarrier(clock, () => ({ kind: 'busy', ringMs: 1000 }));
          const dialer = new Dialer({
            store,
            campaignId: 'win',
            workerId: 'w1',
            carrier,
            clock,
            abandonRefreshMs: 5 * MIN,
            tickMs: 5 * MIN,
            idleMaxMs: 5 * MIN,
            runCall: async () => ({ disposition: 'answered' }),
          });
          let done = false;
          void dialer.run().then(() => {
            done = true;
          });
          for (const slot of [...s.checks].sort((a, b) => a - b)) {
            const at = T0 + slot * SLOT + SLOT / 2;
            await clock.run(() => false, at - clock.now());
            const inWindow = s.events.filter((_, i) => ends[i]! <= clock.now() && ends[i]! >= at - DAY);
            const humans = inWindow.filter((e) => e.kind === 'answered' || e.kind === 'abandoned').length;
            const drops = inWindow.filter((e) => e.kind === 'abandoned').length;
            expect(dialer.pacing).toMatchObject({
              humans,
              drops,
              dropRate: humans === 0 ? 0 : drops / humans,
            });
          }
          dialer.stop();
          await clock.run(() => done, 10 * MIN);
          expect(carrier.log).toEqual([]);
        } finally {
          await store.close();
        }
      }),
      { numRuns: 8, seed: Number(process.env.FC_SEED ?? 20260302) },
    );
  }, 120_000);
});
