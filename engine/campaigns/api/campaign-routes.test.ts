import type { Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHttpServer, listen } from '../../http/server.ts';
import { createRootLogger } from '../../log/logger.ts';
import { Metrics } from '../../metrics/metrics.ts';
import { SqliteCampaignStore } from '../store/sqlite-store.ts';
import type { CampaignStore } from '../store/types.ts';
import { campaignRoutes } from './campaign-routes.ts';

const TOKEN = 'admin-token-for-tests-0123456789';
let store: CampaignStore;
let server: Server;
let base: string;

beforeEach(async () => {
  store = await SqliteCampaignStore.open(':memory:');
  const metrics = new Metrics();
  server = createHttpServer({
    log: createRootLogger({ level: 'silent' }),
    metrics,
    isReady: () => true,
    routes: [
      campaignRoutes({ store, adminToken: TOKEN, metrics, now: () => Date.parse('2026-06-10T14:00:00Z') }),
    ],
  });
  base = `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}`;
});

afterEach(async () => {
  await new Promise((r) => server.close(r));
  await store.close();
});

const api = (path: string, init: RequestInit = {}, token: string | null = TOKEN) =>
  fetch(`${base}${path}`, {
    ...init,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers ?? {}) },
  }).then((r) => ({ status: r.status, json: () => r.json() as Promise<Json>, text: () => r.text() }));
// biome-ignore lint/suspicious/noExplicitAny: JSON replies are checked by the assertions
type Json = any;
const json = (body: unknown, method = 'POST'): RequestInit => ({
  method,
  body: JSON.stringify(body),
  headers: { 'content-type': 'application/json' },
});

describe('campaign REST API', () => {
  it('status: the abandon rate over the compliance period and contacts not dialed by reason', async () => {
    const now = Date.parse('2026-06-10T14:00:00Z');
    const DAY = 86_400_000;
    const spec = { id: 'mkt', name: 'Offers', scriptId: 's', callerId: '+14155550100', compliance: 'US' };
    expect((await api('/api/campaigns', json({ ...spec, purpose: 'marketing' }))).status).toBe(201);
    const csv = `phone,consent\n${[0, 1, 2, 3, 4].map((i) => `+1212555100${i},yes`).join('\n')}\n+12125551005,\n`;
    const imported = await (
      await api('/api/campaigns/mkt/contacts', {
        method: 'POST',
        body: csv,
        headers: { 'content-type': 'text/csv' },
      })
    ).json();
    expect(imported).toMatchObject({ imported: 6, withoutConsent: 1 });
    await store.setCampaignStatus('mkt', 'running');
    const record = async (
      atMs: number,
      disposition: 'answered' | 'abandoned' | 'not-dialed',
      reason?: string,
    ) => {
      const [c] = await store.claimDue('mkt', now, 1, 60_000, 'w');
      await store.recordResult(c!.attemptId, {
        disposition,
        endedAtMs: atMs + 1000,
        nextAttemptAtMs: null,
        countsAsAttempt: disposition !== 'not-dialed',
        data: reason ? { reason } : {},
      });
    };
    await record(now - 31 * DAY, 'abandoned'); // older than the US period of 30 days
    await record(now - 29 * DAY, 'abandoned');
    await record(now - DAY, 'answered');
    await record(now - DAY, 'answered');
    await record(now - DAY, 'not-dialed', 'no_consent');
    const status = await (await api('/api/campaigns/mkt')).json();
    expect(status).toMatchObject({
      purpose: 'marketing',
      compliance: 'US',
      notDialed: { no_consent: 1 },
      abandon: {
        liveAnswers: 3,
        abandoned: 1,
        maxRate: 0.03,
        periodMs: 30 * DAY,
        since: new Date(now - 30 * DAY).toISOString(),
      },
    });
    expect(status.abandon.rate).toBeCloseTo(1 / 3);
    const rows = (await (await api('/api/campaigns/mkt/export?format=json')).json()) as Json[];
    expect(rows.filter((r) => r.reason === 'no_consent')).toHaveLength(1);
    expect(rows.find((r) => r.reason === 'no_consent')).toMatchObject({
      disposition: 'not-dialed',
      status: 'done',
    });
  });

  it('refuses requests without the admin bearer token, with a JSON error', async () => {
    const none = await api('/api/campaigns', {}, null);
    expect(none.status).toBe(401);
    expect((await none.json()).error).toMatchObject({ code: 'AUTH_MISSING' });
    const bad = await api('/api/campaigns', {}, 'x'.repeat(TOKEN.length));
    expect(bad.status).toBe(401);
    expect((await bad.json()).error.code).toBe('AUTH_INVALID');
  });

  it('create, import contacts (CSV body), start/pause/resume/stop, status, export, DNC', async () => {
    const created = await api(
      '/api/campaigns',
      json({ id: 'rem', name: 'Reminders', scriptId: 'reminder', callerId: '+14155550100' }),
    );
    expect(created.status).toBe(201);
    const again = await api(
      '/api/campaigns',
      json({ id: 'rem', name: 'x', scriptId: 's', callerId: '+14155550100' }),
    );
    expect(again.status).toBe(409);
    const badSpec = await api(
      '/api/campaigns',
      json({ id: 'bad id!', name: '', scriptId: 's', callerId: '12' }),
    );
    expect(badSpec.status).toBe(400);
    expect((await badSpec.json()).error).toMatchObject({ code: 'CAMPAIGN_INVALID' });

    const csv =
      'phone,name\n(212) 555-1000,Ann\n+1 212 555 1001,Bob\nnot a number,Eve\n(212) 555-1000,Ann again\n';
    const imported = await api('/api/campaigns/rem/contacts', {
      method: 'POST',
      body: csv,
      headers: { 'content-type': 'text/csv' },
    });
    expect(imported.status).toBe(200);
    const summary = await imported.json();
    expect(summary).toMatchObject({ rowsRead: 4, imported: 2, rejected: 2 });
    expect(summary.samples.map((s: { line: number }) => s.line)).toEqual([4, 5]);
    expect(JSON.stringify(summary)).not.toContain('555-1000'); // no numbers in the reply

    for (const [action, status] of [
      ['start', 'running'],
      ['pause', 'paused'],
      ['pause', 'paused'],
      ['resume', 'running'],
    ] as const) {
      const r = await api(`/api/campaigns/rem/${action}`, { method: 'POST' });
      expect(r.status).toBe(200);
      expect((await r.json()).status).toBe(status);
    }
    const [claim] = await store.claimDue('rem', Date.parse('2026-06-10T14:00:00Z'), 1, 60_000, 'w');
    await store.recordResult(claim!.attemptId, {
      disposition: 'answered',
      endedAtMs: Date.parse('2026-06-10T14:01:00Z'),
      nextAttemptAtMs: null,
      countsAsAttempt: true,
      data: { answers: { confirmed: 'yes, "tuesday"' }, transcriptRef: 't/1', recordingPath: '/rec/1.wav' },
    });
    const status = await (await api('/api/campaigns/rem')).json();
    expect(status).toMatchObject({
      status: 'running',
      contacts: { done: 1, pending: 1, total: 2 },
      byDisposition: { answered: 1, 'not-called': 1 },
    });
    const csvOut = await (await api('/api/campaigns/rem/export?format=csv')).text();
    const lines = csvOut.trim().split('\n');
    expect(lines[0]).toBe(
      'contactId,e164,status,disposition,attempts,answers,transcriptRef,recordingPath,lastAttemptAt,reason',
    );
    expect(lines[1]).toContain(
      '+12125551000,done,answered,1,"{""confirmed"":""yes, \\""tuesday\\""""}",t/1,/rec/1.wav',
    );
    const jsonOut = await (await api('/api/campaigns/rem/export?format=json')).json();
    expect(jsonOut).toHaveLength(2);
    expect(jsonOut[0]).toMatchObject({ disposition: 'answered', recordingPath: '/rec/1.wav', attempts: 1 });
    expect((await api('/api/campaigns/rem/export?format=xml')).status).toBe(400);
    expect((await api('/api/campaigns/nope')).status).toBe(404);
    expect((await (await api('/api/campaigns/rem/stop', { method: 'POST' })).json()).status).toBe('stopped');
    const resumeStopped = await api('/api/campaigns/rem/resume', { method: 'POST' });
    expect(resumeStopped.status).toBe(400);

    const dnc = await api('/api/dnc', json({ numbers: ['(212) 555-1001', 'nope'], reason: 'asked' }));
    expect(await dnc.json()).toMatchObject({ added: 1, rejected: [{ index: 1 }] });
    expect(await store.dncMatches(['+12125551001'])).toEqual(new Set(['+12125551001']));
    const del = await api('/api/dnc', json({ number: '+12125551001' }, 'DELETE'));
    expect(await del.json()).toEqual({ removed: true });
    const badDnc = await api('/api/dnc', json({ numbers: [] }));
    expect(badDnc.status).toBe(400);
    const notJson = await api('/api/dnc', { method: 'POST', body: '{' });
    expect((await notJson.json()).error.code).toBe('CAMPAIGN_INVALID');
  });
});

describe('campaign API on the engine', () => {
  it('is served by startEngine with the admin token, and campaign metrics are on /metrics', async () => {
    const { loadConfig } = await import('../../config/load.ts');
    const { startEngine } = await import('../../engine.ts');
    const config = loadConfig({
      env: {},
      overrides: { host: '127.0.0.1', port: 0, logLevel: 'silent', 'auth.mode': 'none' },
    });
    const engine = await startEngine({ config, campaigns: { store, adminToken: TOKEN } });
    try {
      engine.metrics.campaignCalls.inc({ campaign: 'x', disposition: 'busy' });
      const denied = await fetch(`${engine.url}/api/campaigns`);
      expect(denied.status).toBe(401);
      const ok = await fetch(`${engine.url}/api/campaigns`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(await ok.json()).toEqual({ campaigns: [] });
      const metrics = await (await fetch(`${engine.url}/metrics`)).text();
      expect(metrics).toContain('voicebot_campaign_calls_total{campaign="x",disposition="busy"} 1');
    } finally {
      await engine.close();
    }
  });
});
