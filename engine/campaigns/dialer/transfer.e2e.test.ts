/**
 * Transfers from campaign calls to one human agent, end to end over real audio: three
 * sales-qualification campaigns share the agent `ann` (one engine, one AgentRegistry served by
 * the real agents HTTP API, one RegistryAgentPool per dialer). Sim callees answer by keypad
 * (AMD hears their "hello?"), a few seconds apart:
 *   A is interested first and is transferred to ann (the sim carrier routes the callee to her);
 *   B is interested while ann is on A's call, waits the campaign's maxWaitMs and is abandoned
 *     (hears the dialog's no-agent goodbye; one drop for its pacer);
 *   C is interested while ann is still on A's call; marking ann ready over the HTTP API while C
 *     waits lets C through to her.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EspeakTts } from '../../../asr-tts/providers/espeak/espeak-tts.ts';
import { PocketsphinxAsr } from '../../../asr-tts/providers/pocketsphinx/pocketsphinx-asr.ts';
import { WebRtcVad } from '../../../asr-tts/providers/webrtc-vad/webrtc-vad.ts';
import { DeterministicNlu } from '../../../dialogs/nlu/deterministic-nlu.ts';
import { parsePersona } from '../../../telephony/carriers/sim/persona.ts';
import { type SimEngine, startSimEngine } from '../../../telephony/carriers/sim/testing/sim-engine.ts';
import { agentsApi } from '../../agents/agents-api.ts';
import { AgentRegistry } from '../../agents/registry.ts';
import type { CallRecord } from '../../calls/call-record.ts';
import { createRootLogger } from '../../log/logger.ts';
import { Metrics } from '../../metrics/metrics.ts';
import { waitFor } from '../../testing/wait-for.ts';
import { exportResults, type ResultRecord } from '../export/results-export.ts';
import { SqliteCampaignStore } from '../store/sqlite-store.ts';
import { newYorkContact, seedRunningCampaign } from '../store/testing/running-campaign.ts';
import type { CampaignStore } from '../store/types.ts';
import { RegistryAgentPool } from './agent-pool.ts';
import { Dialer } from './dialer.ts';
import { sessionRunner } from './session-runner.ts';

const MAX_WAIT_MS = 2500;
const ANN = 'sip:ann@pbx.example';
/** Each person rings this long, so their transfer requests come this far apart. */
const PEOPLE = [
  { campaign: 'sales-a', e164: '+12125550201', ringMs: 300 },
  { campaign: 'sales-b', e164: '+12125550202', ringMs: 5000 },
  { campaign: 'sales-c', e164: '+12125550203', ringMs: 11_000 },
];
const personas = PEOPLE.map((p, i) =>
  parsePersona(
    {
      name: `interested-${i}`,
      answerRate: 1,
      ringMs: { min: p.ringMs, max: p.ringMs },
      // Owns the home (1), a $150 bill (150#), wants an advisor now (1).
      human: {
        delayMs: 300,
        greeting: 'hello?',
        replies: [{ dtmf: '1' }, { dtmf: '150#' }, { dtmf: '1' }],
        promptGapMs: 1500,
        maxCallMs: 60_000,
      },
    },
    `persona ${i}`,
  ),
);

let sim: SimEngine;
let store: CampaignStore;
let asr: PocketsphinxAsr;
let callsDir: string;
const agents = new AgentRegistry([{ id: 'ann', name: 'Ann', target: ANN, queues: ['sales'] }]);
const pools: RegistryAgentPool[] = [];

beforeAll(async () => {
  sim = await startSimEngine({ personas, seed: 5, routes: [agentsApi(agents)] });
  asr = new PocketsphinxAsr({ workers: 1 });
  await asr.warmUp();
  callsDir = mkdtempSync(join(tmpdir(), 'voicebot-transfer-calls-'));
  store = await SqliteCampaignStore.open(':memory:');
}, 60_000);

afterAll(async () => {
  for (const p of pools) p.close();
  await sim?.close();
  await asr?.close?.();
  await store?.close();
  if (callsDir) rmSync(callsDir, { recursive: true, force: true });
});

async function result(campaignId: string): Promise<ResultRecord> {
  let json = '';
  for await (const chunk of exportResults(store, campaignId, 'json')) json += chunk;
  const rows = JSON.parse(json) as ResultRecord[];
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

const record = (r: ResultRecord) => JSON.parse(readFileSync(r.transcriptRef!, 'utf8')) as CallRecord;

describe('campaign transfers to a shared agent', () => {
  it('transfers the first, abandons the one who waits too long, lets a waiter through when ann is ready', async () => {
    for (const [i, p] of PEOPLE.entries()) {
      await seedRunningCampaign(
        store,
        {
          id: p.campaign,
          name: `Solar leads ${i}`,
          scriptId: 'sales-qualification',
          callerId: '+14155550100',
          trunks: [{ name: 'sim', cps: 10, maxConcurrent: 2 }],
          amd: { mode: 'hangup' },
          retry: { abandoned: { retry: false } }, // no call back to B while ann is busy
          transfer: { queue: 'sales', maxWaitMs: MAX_WAIT_MS },
        },
        [newYorkContact(p.e164, { firstName: 'Ann', persona: `interested-${i}` })],
        Date.now(),
      );
    }
    const runCall = sessionRunner({
      callsDir,
      asr,
      tts: new EspeakTts(),
      createVad: () => WebRtcVad.create(),
      nlu: new DeterministicNlu(),
      log: createRootLogger({ level: 'silent' }),
      metrics: new Metrics(),
    });
    const dialers = PEOPLE.map((p) => {
      const pool = new RegistryAgentPool(agents, { queue: 'sales' });
      pools.push(pool);
      return new Dialer({
        store,
        campaignId: p.campaign,
        workerId: `e2e-${p.campaign}`,
        carrier: sim.carrier,
        runCall,
        agents: pool,
        exitWhenDone: true,
        tickMs: 100,
        idleMaxMs: 200,
      });
    });
    const runs = dialers.map((d) => d.run());

    // C waits for ann while she is on A's call: she marks herself ready over the API.
    await waitFor(() => pools[2]!.waiting() > 0, {
      what: "C's call to wait for ann",
      timeoutMs: 75_000,
      intervalMs: 50,
    });
    expect(pools[2]!.waiting()).toBe(1);
    expect(agents.get('ann')).toMatchObject({ state: 'on-call' });
    expect(dialers[1]!.pacing.drops).toBe(1); // B was abandoned before C asked
    const put = await fetch(`${sim.engine.url}/agents/ann/state`, {
      method: 'PUT',
      body: '{"state":"ready"}',
    });
    expect(put.status).toBe(200);

    const summaries = await Promise.all(runs);
    expect(summaries.map((s) => s.finalStatus)).toEqual(['done', 'done', 'done']);
    const [a, b, c] = (await Promise.all(PEOPLE.map((p) => result(p.campaign)))) as [
      ResultRecord,
      ResultRecord,
      ResultRecord,
    ];
    expect(b.disposition).toBe('abandoned');

    // A and C: transferred to ann, answered; the sim carrier routed both callees to her.
    for (const r of [a, c]) {
      expect(r).toMatchObject({ disposition: 'answered', attempts: 1 });
      expect(r.answers).toMatchObject({
        amd: 'HUMAN',
        outcome: 'transferred',
        transfer: { ok: true, target: ANN, agentId: 'ann' },
      });
      const rec = record(r);
      expect(rec.events.some((e) => e.type === 'call.hangup' && e.reason === 'transfer')).toBe(true);
      expect(rec.events.some((e) => e.type === 'transfer.agent' && e.agentId === 'ann')).toBe(true);
    }
    expect(sim.carrier.transfers().map((t) => [t.target, t.ok, t.reason])).toEqual([
      [ANN, true, 'sales-qualified'],
      [ANN, true, 'sales-qualified'],
    ]);
    expect(agents.get('ann')).toMatchObject({ state: 'on-call' }); // now on C's call

    // B: no agent within maxWaitMs -> the no-agent goodbye, abandoned, a callback recorded.
    expect(b.answers).toMatchObject({ amd: 'HUMAN', outcome: 'callback-requested' });
    expect(b.answers?.transfer).toMatchObject({ ok: false, reason: 'no-agent' });
    const rb = record(b);
    const asked = rb.events.find((e) => e.type === 'transfer.requested')!;
    const gaveUp = rb.events.find((e) => e.type === 'callback.requested')!;
    expect(gaveUp.atMs - asked.atMs).toBeGreaterThanOrEqual(MAX_WAIT_MS - 50);
    expect(gaveUp.atMs - asked.atMs).toBeLessThan(MAX_WAIT_MS + 1000);
    const goodbye = rb.transcript.filter((t) => t.side === 'bot' && t.atMs >= gaveUp.atMs); // same ms under load
    expect(goodbye.map((t) => t.text).join(' ')).toMatch(/advisor will call you back/);
    expect(goodbye.every((t) => !t.interrupted)).toBe(true);
    expect(rb.callback).toMatchObject({ requested: true, reason: 'no-agent' });

    // Pacing: every person is one live answer; only B is a drop.
    expect(dialers.map((d) => [d.pacing.humans, d.pacing.drops])).toEqual([
      [1, 0],
      [1, 1],
      [1, 0],
    ]);
  }, 120_000);
});
