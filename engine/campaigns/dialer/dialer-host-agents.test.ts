/**
 * DialerHost and agents: a transfer campaign is paced by the engine's own AgentRegistry (the one
 * its agents HTTP API serves), limited to the campaign's queue. With its only agent away nothing
 * is dialed; the agent marking themselves ready over the API starts the dialing. A campaign whose
 * queue no configured agent takes is refused (CONFIG_INVALID, logged) and never dialed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPersonas } from '../../../telephony/carriers/sim/persona.ts';
import { type SimEngine, startSimEngine } from '../../../telephony/carriers/sim/testing/sim-engine.ts';
import { agentsApi } from '../../agents/agents-api.ts';
import { AgentRegistry } from '../../agents/registry.ts';
import { createRootLogger } from '../../log/logger.ts';
import { Metrics } from '../../metrics/metrics.ts';
import type { CampaignInput } from '../model.ts';
import { SqliteCampaignStore } from '../store/sqlite-store.ts';
import { DialerHost } from './dialer-host.ts';

const ADMIN = 'admin-token-0123456789abcdef';
const dir = mkdtempSync(join(tmpdir(), 'vb-dialer-host-agents-'));
let sim: SimEngine | undefined;
let host: DialerHost | undefined;
afterAll(async () => {
  await host?.close();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

const campaign = (id: string, queue: string): CampaignInput => ({
  id,
  name: id,
  scriptId: 'sales-qualification',
  callerId: '+14155550100',
  window: { start: '00:00', end: '24:00', days: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
  retry: { busy: { retry: false } },
  transfer: { queue, maxWaitMs: 2000 },
});
const contact = (e164: string) => ({
  e164,
  zones: ['America/New_York'],
  subdivision: null,
  variables: { firstName: 'Ann', persona: 'busy-line' },
  importId: 'i',
  sourceLine: null,
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('DialerHost with agents', () => {
  it('paces a transfer campaign by the registry the agents API serves; refuses a queue nobody takes', async () => {
    const store = await SqliteCampaignStore.open(join(dir, 'c.db'));
    const now = Date.now();
    await store.createCampaign(campaign('sales', 'sales'), now);
    await store.addContacts('sales', [contact('+12125550121')], now);
    await store.createCampaign(campaign('orphan', 'retention'), now);
    await store.addContacts('orphan', [contact('+12125550122')], now);
    await store.setCampaignStatus('sales', 'running');
    await store.setCampaignStatus('orphan', 'running');

    const agents = new AgentRegistry([
      { id: 'ann', name: 'Ann', target: 'sip:ann@pbx.example', queues: ['sales'], available: false },
    ]);
    const logs: Record<string, unknown>[] = [];
    const log = createRootLogger({
      level: 'info',
      destination: new Writable({
        write(chunk, _enc, done) {
          logs.push(JSON.parse(String(chunk)) as Record<string, unknown>);
          done();
        },
      }),
    });
    sim = await startSimEngine({
      personas: loadPersonas(join(import.meta.dirname, '../../../fixtures/personas')),
      ringTimeScale: 0.05,
      routes: [agentsApi(agents, { token: ADMIN }), (req, res) => host?.route(req, res) ?? false],
      overrides: { 'campaigns.adminToken': ADMIN, 'session.callsDir': join(dir, 'calls') },
    });
    const { engine, carrier, config } = sim;
    host = new DialerHost({
      store,
      config,
      registry: sim.registry,
      log,
      metrics: new Metrics(),
      agents,
      dialer: { tickMs: 100, idleMaxMs: 200 },
      makeCarrier: () => carrier,
    });
    await host.attach(engine);
    await host.settled('orphan');
    const refused = logs.find((l) => l.campaignId === 'orphan' && l.msg === 'dialer failed');
    expect(JSON.stringify(refused?.err)).toMatch(/queue \\"retention\\" but no agent/);
    expect((await store.contactCounts('orphan')).pending).toBe(1);

    // ann is away: the sales dialer runs but places no call.
    await sleep(1500);
    expect(host.running).toEqual(['sales']);
    expect(await store.contactCounts('sales')).toMatchObject({ pending: 1, leased: 0 });

    const res = await fetch(`${engine.url}/agents/ann/state`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN}` },
      body: '{"state":"ready"}',
    });
    expect(res.status).toBe(200);
    await host.settled('sales');
    const rows = await store.listContacts('sales', { afterId: 0, limit: 10 });
    expect(rows.map((r) => [r.status, r.lastDisposition])).toEqual([['done', 'busy']]);
    expect(agents.get('ann')?.state).toBe('ready'); // a busy line never took her
    await store.close();
  }, 60_000);
});
