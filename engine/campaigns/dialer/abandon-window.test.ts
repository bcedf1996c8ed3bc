import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Metrics } from '../../metrics/metrics.ts';
import type { CampaignInput } from '../model.ts';
import { campaignInput, contact } from '../store/conformance.ts';
import { PgCampaignStore } from '../store/pg-store.ts';
import { SqliteCampaignStore } from '../store/sqlite-store.ts';
import { DATABASE_URL, freshSchemaName, requirePostgres } from '../store/testing/pg-harness.ts';
import type { CampaignStore } from '../store/types.ts';
import { type DialerClock, realDialerClock, VirtualClock } from './clock.ts';
import { Dialer, type DialerOptions } from './dialer.ts';
import { VirtualCarrier, waitForHangup } from './testing/virtual-carrier.ts';
import type { RunCall } from './types.ts';

/**
 * The abandon-rate window outlives a dialer: a restarted one reads it back from the store,
 * and dialers in two processes on one PostgreSQL count each other's calls.
 */

const DAY = 86_400_000;
const T0 = Date.parse('2026-06-10T14:00:00Z'); // Wednesday 10:00 in New York
const dir = mkdtempSync(join(tmpdir(), 'vb-abandon-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ALWAYS: Partial<CampaignInput> = {
  window: { start: '00:00', end: '24:00', days: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
  trunks: [{ name: 't', cps: 100, maxConcurrent: 4 }],
  transfer: { queue: 'sales', maxWaitMs: 2000 },
};

/** Every callee is a person; every other one wants an agent and, with none logged in, is dropped. */
function transferScript(clock: DialerClock): RunCall {
  return async (leg, ctx) => {
    ctx.liveAnswer();
    if (Number(ctx.contact.e164.slice(-1)) % 2 === 1) {
      const agent = await ctx.requestAgent();
      if (!agent) return { disposition: 'abandoned' };
    }
    await waitForHangup(leg, clock, 60_000, ctx.signal);
    return { disposition: 'answered' };
  };
}

async function seed(store: CampaignStore, id: string, n: number, over: Partial<CampaignInput>, atMs: number) {
  await store.createCampaign(campaignInput(id, { ...ALWAYS, ...over }), atMs);
  await store.setCampaignStatus(id, 'running');
  await store.addContacts(
    id,
    Array.from({ length: n }, (_, i) => contact(`+1212555${String(1000 + i)}`, i + 2)),
    atMs,
  );
}

describe('abandon window across dialers', () => {
  it('a restarted dialer keeps the rate: it reads the window back from the store, until the period passes', async () => {
    const store = await SqliteCampaignStore.open(join(dir, 'restart.db'));
    try {
      await seed(store, 'r', 12, { compliance: 'US' }, T0);
      const clock = new VirtualClock(T0);
      const carrier = new VirtualCarrier(clock, () => ({ kind: 'answer', ringMs: 3000, talkMs: 20_000 }));
      const base: DialerOptions = {
        store,
        campaignId: 'r',
        workerId: 'w1',
        carrier,
        clock,
        runCall: transferScript(clock),
      };
      const first = new Dialer({ ...base, exitWhenDone: true });
      let done = false;
      void first.run().then(() => {
        done = true;
      });
      await clock.run(() => done, 3_600_000);
      expect(first.pacing.local).toEqual({ humans: 12, drops: 6 });

      // A new process (the first one is gone): nothing due, so it syncs once and returns.
      const metrics = new Metrics();
      const second = new Dialer({ ...base, workerId: 'w2', exitWhenIdle: true, metrics });
      expect(second.pacing).toMatchObject({ humans: 0, drops: 0 });
      let again = false;
      void second.run().then(() => {
        again = true;
      });
      await clock.run(() => again, 60_000);
      expect(second.pacing).toMatchObject({
        humans: 12,
        drops: 6,
        dropRate: 0.5,
        local: { humans: 0, drops: 0 },
      });
      expect(await metrics.registry.metrics()).toContain('voicebot_campaign_abandon_ratio{campaign="r"} 0.5');

      // 30 days later (the US period) those calls have left the window.
      const later = new VirtualClock(T0 + 30 * DAY + 60_000);
      const third = new Dialer({ ...base, workerId: 'w3', clock: later, exitWhenIdle: true });
      let last = false;
      void third.run().then(() => {
        last = true;
      });
      await later.run(() => last, 60_000);
      expect(third.pacing).toMatchObject({ humans: 0, drops: 0, dropRate: 0 });
    } finally {
      await store.close();
    }
  });

  it('two dialers on one PostgreSQL each count the other one’s live answers and drops', async () => {
    await requirePostgres();
    const schema = freshSchemaName('abw');
    const stores = await Promise.all(
      [1, 2].map(() => PgCampaignStore.open({ connectionString: DATABASE_URL, schema, maxConnections: 4 })),
    );
    const n = 24;
    try {
      await seed(stores[0]!, 'shared', n, { compliance: 'UK' }, Date.now() - 1000);
      const clock = realDialerClock;
      const dialers = stores.map(
        (store, i) =>
          new Dialer({
            store,
            campaignId: 'shared',
            workerId: `p${i + 1}`,
            carrier: new VirtualCarrier(clock, () => ({ kind: 'answer', ringMs: 5, talkMs: 5 })),
            clock,
            runCall: transferScript(clock),
            tickMs: 10,
            idleMaxMs: 50,
            abandonRefreshMs: 50,
            leaseMs: 5000,
          }),
      );
      const runs = dialers.map((d) => d.run());
      const deadline = Date.now() + 30_000;
      const settled = () =>
        dialers.every((d) => d.pacing.humans === n && d.pacing.drops === n / 2) &&
        dialers.reduce((a, d) => a + d.pacing.local.humans, 0) === n;
      while (!settled() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      // Answered contacts are done; dropped ones wait for their retry (72 h under UK rules).
      expect(await stores[0]!.contactCounts('shared')).toMatchObject({
        done: n / 2,
        pending: n / 2,
        leased: 0,
      });
      for (const d of dialers) expect(d.pacing).toMatchObject({ humans: n, drops: n / 2, dropRate: 0.5 });
      // Between them they made every call, both did some, and each window holds both's calls.
      for (const d of dialers) expect(d.pacing.local.humans).toBeGreaterThan(0);
      expect(dialers.reduce((a, d) => a + d.pacing.local.humans, 0)).toBe(n);
      expect(dialers.reduce((a, d) => a + d.pacing.local.drops, 0)).toBe(n / 2);
      for (const d of dialers) d.stop();
      await Promise.all(runs);
    } finally {
      await stores[0]!.dropSchema();
      await Promise.all(stores.map((s) => s.close()));
    }
  }, 45_000);
});
