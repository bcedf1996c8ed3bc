import { afterEach, describe, expect, it } from 'vitest';
import { AgentRegistry } from '../../agents/registry.ts';
import { Metrics } from '../../metrics/metrics.ts';
import { campaignInput, contact } from '../store/conformance.ts';
import { SqliteCampaignStore } from '../store/sqlite-store.ts';
import type { CampaignStore } from '../store/types.ts';
import { RegistryAgentPool } from './agent-pool.ts';
import { VirtualClock } from './clock.ts';
import { Dialer } from './dialer.ts';
import { type Persona, VirtualCarrier, waitForHangup } from './testing/virtual-carrier.ts';
import type { RunCall } from './types.ts';

const T0 = Date.parse('2026-06-10T14:00:00Z'); // Wednesday 10:00 in New York
const MIN = 60_000;
let store: CampaignStore;

afterEach(async () => {
  await store?.close();
});

async function setup(n: number, over: Parameters<typeof campaignInput>[1] = {}) {
  store = await SqliteCampaignStore.open(':memory:');
  await store.createCampaign(
    campaignInput('c1', { trunks: [{ name: 't1', cps: 2, maxConcurrent: 3 }], ...over }),
    T0,
  );
  await store.setCampaignStatus('c1', 'running');
  const numbers = Array.from({ length: n }, (_, i) => `+1212555${String(1000 + i)}`);
  await store.addContacts(
    'c1',
    numbers.map((e, i) => contact(e, i + 2)),
    T0,
  );
  return numbers;
}

const talk: (clock: VirtualClock) => RunCall = (clock) => async (leg, ctx) => {
  await waitForHangup(leg, clock, 10 * MIN, ctx.signal);
  return { disposition: 'answered', answers: { confirmed: true }, transcriptRef: `t/${ctx.attemptId}` };
};

describe('Dialer', () => {
  it('dials every contact, retries busy after the backoff, records one result per attempt', async () => {
    const numbers = await setup(6);
    const clock = new VirtualClock(T0);
    const busyOnce = new Set([numbers[1]]);
    const carrier = new VirtualCarrier(clock, (to): Persona => {
      if (busyOnce.delete(to)) return { kind: 'busy', ringMs: 3000 };
      if (to === numbers[2]) return { kind: 'invalid', ringMs: 500 };
      return { kind: 'answer', ringMs: 8000, talkMs: 30_000 };
    });
    const metrics = new Metrics();
    const dialer = new Dialer({
      store,
      campaignId: 'c1',
      workerId: 'w1',
      carrier,
      clock,
      runCall: talk(clock),
      exitWhenDone: true,
      metrics,
    });
    let result: Awaited<ReturnType<Dialer['run']>> | undefined;
    void dialer.run().then((r) => {
      result = r;
    });
    await clock.run(() => result !== undefined, 3 * 3_600_000);
    expect(result?.finalStatus).toBe('done');
    expect(carrier.peakConcurrent).toBeLessThanOrEqual(3);
    const starts = carrier.log.map((r) => r.startMs).sort((a, b) => a - b);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(500);
    const rows = await store.listContacts('c1');
    const byNumber = new Map(rows.map((r) => [r.e164, r]));
    const busy = await store.listAttempts(byNumber.get(numbers[1]!)!.id);
    expect(busy.map((a) => a.disposition)).toEqual(['busy', 'answered']);
    expect(busy[1]!.startedAtMs - busy[0]!.endedAtMs!).toBeGreaterThanOrEqual(20 * MIN);
    expect((await store.listAttempts(byNumber.get(numbers[2]!)!.id)).map((a) => a.disposition)).toEqual([
      'invalid',
    ]);
    const answered = await store.listAttempts(byNumber.get(numbers[0]!)!.id);
    expect(answered[0]!.data).toMatchObject({ trunk: 't1', transcriptRef: `t/${answered[0]!.id}` });
    expect(rows.every((r) => r.status === 'done')).toBe(true);
    expect(carrier.log.length).toBe(7);
    const text = await metrics.registry.metrics();
    expect(text).toContain('voicebot_campaign_calls_total{campaign="c1",disposition="answered"} 5');
  });

  it('checks the DNC list right before dialing and honours an opt-out at once', async () => {
    const numbers = await setup(4, { trunks: [{ name: 't1', cps: 1, maxConcurrent: 1 }] });
    await store.addDnc([{ e164: numbers[3]!, source: 'test' }], T0); // added after import
    const clock = new VirtualClock(T0);
    const carrier = new VirtualCarrier(clock, () => ({ kind: 'answer', ringMs: 1000, talkMs: 5000 }));
    const runCall: RunCall = async (leg, ctx) => {
      if (ctx.contact.e164 === numbers[0]) {
        await ctx.optOut('pressed 9');
        // The same number imported into another campaign must not be called now.
        return { disposition: 'opt-out' };
      }
      await waitForHangup(leg, clock, MIN);
      return { disposition: 'answered' };
    };
    const dialer = new Dialer({
      store,
      campaignId: 'c1',
      workerId: 'w',
      carrier,
      clock,
      runCall,
      exitWhenDone: true,
    });
    let done = false;
    void dialer.run().then(() => {
      done = true;
    });
    await clock.run(() => done, 3_600_000);
    expect(carrier.log.map((r) => r.to).sort()).toEqual([numbers[0], numbers[1], numbers[2]].sort());
    expect(await store.dncMatches([numbers[0]!])).toEqual(new Set([numbers[0]]));
  });

  it('pause stops new dials while calls finish; resume continues; stop is idempotent', async () => {
    await setup(10, { trunks: [{ name: 't1', cps: 10, maxConcurrent: 2 }] });
    const clock = new VirtualClock(T0);
    const carrier = new VirtualCarrier(clock, () => ({ kind: 'answer', ringMs: 1000, talkMs: 60_000 }));
    const dialer = new Dialer({
      store,
      campaignId: 'c1',
      workerId: 'w',
      carrier,
      clock,
      runCall: talk(clock),
    });
    let done = false;
    void dialer.run().then(() => {
      done = true;
    });
    await clock.run(() => carrier.log.length === 2, MIN);
    await store.setCampaignStatus('c1', 'paused');
    await clock.run(() => false, 10 * MIN);
    expect(carrier.log.length).toBe(2);
    expect(carrier.concurrent).toBe(0); // both calls ran to their end
    await store.setCampaignStatus('c1', 'running');
    await clock.run(() => carrier.log.length === 4, MIN);
    await store.setCampaignStatus('c1', 'stopped');
    await store.setCampaignStatus('c1', 'stopped');
    await clock.run(() => done, 10 * MIN);
    expect(done).toBe(true);
    expect(carrier.log.length).toBe(4);
    const counts = await store.contactCounts('c1');
    expect(counts).toMatchObject({ leased: 0, done: 4, pending: 6 });
  });

  it('predictive mode with agents: abandoned people are recorded and counted by the governor', async () => {
    await setup(30, {
      trunks: [{ name: 't1', cps: 20, maxConcurrent: 30 }],
      transfer: { queue: 'sales', maxWaitMs: 2000 },
    });
    const clock = new VirtualClock(T0);
    const carrier = new VirtualCarrier(clock, () => ({ kind: 'answer', ringMs: 2000, talkMs: 120_000 }));
    const agents = new RegistryAgentPool(
      new AgentRegistry(['a1', 'a2'].map((id) => ({ id, name: id, target: `sip:${id}@pbx.example` }))),
      { clock },
    );
    const runCall: RunCall = async (leg, ctx) => {
      ctx.liveAnswer();
      const agent = await ctx.requestAgent();
      if (!agent) return { disposition: 'abandoned' };
      await waitForHangup(leg, clock, 10 * MIN);
      return { disposition: 'answered', answers: { agent: agent.agentId } };
    };
    const dialer = new Dialer({
      store,
      campaignId: 'c1',
      workerId: 'w',
      carrier,
      clock,
      runCall,
      agents,
      pacing: { mode: 'predictive', maxLevel: 3 },
    });
    void dialer.run();
    await clock.run(() => false, 20 * MIN);
    const s = dialer.pacing;
    expect(s.humans).toBeGreaterThan(5);
    // Every person answered had an agent or was recorded abandoned; agents never double-booked.
    expect(agents.ready()).toBeLessThanOrEqual(2);
    const results = await store.listContacts('c1');
    const dispositions = results.filter((r) => r.lastDisposition).map((r) => r.lastDisposition);
    expect(dispositions.filter((d) => d === 'abandoned').length).toBe(s.drops);
    dialer.stop();
    await store.setCampaignStatus('c1', 'stopped');
    await clock.run(() => dialer.activeCalls === 0, 20 * MIN);
  });
});
