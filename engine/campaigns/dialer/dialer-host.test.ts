/**
 * The dialers inside the engine process: a campaign already running in the store is dialed
 * once the engine is attached, and one started through the REST API (onControl) is dialed
 * by the same process over the sim carrier with the real runner (AMD + voicemail drop).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OutboundRegistry } from '../../../telephony/carriers/outbound-registry.ts';
import { loadPersonas } from '../../../telephony/carriers/sim/persona.ts';
import { SimCarrier } from '../../../telephony/carriers/sim/sim-carrier.ts';
import { type Engine, startEngine } from '../../engine.ts';
import { loopbackBase } from '../../session/testing/loopback-engine.ts';
import type { CampaignInput } from '../model.ts';
import { SqliteCampaignStore } from '../store/sqlite-store.ts';
import { DialerHost } from './dialer-host.ts';

const ADMIN = 'admin-token-0123456789abcdef';
const dir = mkdtempSync(join(tmpdir(), 'vb-dialer-host-'));
let engine: Engine | undefined;
let host: DialerHost | undefined;
afterAll(async () => {
  await host?.close();
  await engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

const campaign = (id: string): CampaignInput => ({
  id,
  name: id,
  scriptId: 'appointment-reminder',
  callerId: '+14155550100',
  window: { start: '00:00', end: '24:00', days: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
  retry: { busy: { retry: false } },
  amd: {
    mode: 'voicemail',
    voicemailPrompt: 'Hello, this is Sunshine Clinic. Please call us back. Goodbye.',
  },
});
const contact = (e164: string, persona: string) => ({
  e164,
  zones: ['America/New_York'],
  subdivision: null,
  variables: { firstName: 'Ann', appointmentDate: 'Monday', persona },
  importId: 'i',
  sourceLine: null,
});

describe('DialerHost', () => {
  it('dials campaigns running at start-up and those started through the REST API', async () => {
    const { config, log, metrics, token } = loopbackBase({
      'campaigns.adminToken': ADMIN,
      'session.callsDir': join(dir, 'calls'),
    });
    const store = await SqliteCampaignStore.open(join(dir, 'c.db'));
    const now = Date.now();
    await store.createCampaign(campaign('early'), now);
    await store.addContacts('early', [contact('+12125550111', 'busy-line')], now);
    await store.setCampaignStatus('early', 'running');
    await store.createCampaign(campaign('later'), now);
    await store.addContacts('later', [contact('+12125550112', 'voicemail')], now);

    const registry = new OutboundRegistry();
    host = new DialerHost({
      store,
      config,
      registry,
      log,
      metrics,
      dialer: { tickMs: 100, idleMaxMs: 200 },
      makeCarrier: (e) =>
        new SimCarrier({
          engineUrl: e.url,
          registry,
          personas: loadPersonas(join(import.meta.dirname, '../../../fixtures/personas')),
          ringTimeScale: 0.05,
          token: () => token(60),
        }),
    });
    const api = { store, adminToken: ADMIN, onControl: host.onControl };
    engine = await startEngine({
      config,
      log,
      metrics,
      handler: registry.wrap((leg) => leg.hangup('not expected')),
      routes: [host.route],
      campaigns: api,
    });
    await host.attach(engine);
    expect(host.running).toEqual(['early']);
    await host.settled('early');
    expect((await store.getCampaign('early'))?.status).toBe('done');

    const res = await fetch(`${engine.url}/api/campaigns/later/start`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(res.status).toBe(200);
    expect(host.running).toEqual(['later']);
    await host.settled('later');
    const rows = [...(await store.listContacts('later', { afterId: 0, limit: 10 }))];
    expect(rows.map((r) => [r.status, r.lastDisposition])).toEqual([['done', 'voicemail-left']]);
    const early = await store.listContacts('early', { afterId: 0, limit: 10 });
    expect(early.map((r) => r.lastDisposition)).toEqual(['busy']);
    await store.close();
  }, 60_000);
});
