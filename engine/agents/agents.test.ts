import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpServer, listen } from '../http/server.ts';
import { createRootLogger } from '../log/logger.ts';
import { Metrics } from '../metrics/metrics.ts';
import { agentsApi } from './agents-api.ts';
import { AgentRegistry } from './registry.ts';

const AGENTS = [
  { id: 'ann', name: 'Ann', target: 'sip:ann@pbx.example', languages: ['en-US' as const] },
  { id: 'li', name: 'Li', target: 'sip:li@pbx.example', languages: ['zh-CN' as const, 'en-US' as const] },
];

describe('agent registry', () => {
  it('reserves free agents by language, first configured first, never twice', () => {
    const r = new AgentRegistry(AGENTS);
    expect(r.reserve('c1', 'zh-CN')?.id).toBe('li');
    expect(r.reserve('c2', 'zh-CN')).toBeNull();
    expect(r.reserve('c3', 'en-US')?.id).toBe('ann');
    expect(r.reserve('c4', 'en-US')).toBeNull();
    r.release('li');
    expect(r.reserve('c5', 'en-US')?.id).toBe('li');
  });

  it('an engaged agent is unavailable until set available again', () => {
    const r = new AgentRegistry(AGENTS);
    r.reserve('c1', 'en-US');
    r.engaged('ann');
    expect(r.get('ann')?.available).toBe(false);
    expect(r.reserve('c2', 'en-US')?.id).toBe('li');
    r.setAvailable('ann', true);
    expect(r.reserve('c3', 'en-US')?.id).toBe('ann');
  });

  it('moves ready -> reserved -> on-call -> ready and tells listeners each change once', () => {
    const r = new AgentRegistry(AGENTS, { now: () => 1000 });
    const seen: string[] = [];
    const stop = r.onChange((a, previous) => seen.push(`${a.id}:${previous}->${a.state}`));
    const lease = r.reserve('c1', 'en-US');
    expect(lease).toMatchObject({ id: 'ann', state: 'reserved', available: true, reservedBy: 'c1' });
    r.engaged('ann', 'other-call'); // not the call it is reserved for: ignored
    r.engaged('ann', 'c1');
    expect(r.get('ann')).toMatchObject({ state: 'on-call', callId: 'c1', reservedBy: null, since: 1000 });
    r.setState('ann', 'ready');
    r.setState('ann', 'ready'); // no change, no event
    r.setState('li', 'away');
    stop();
    r.setState('li', 'ready');
    expect(seen).toEqual([
      'ann:ready->reserved',
      'ann:reserved->on-call',
      'ann:on-call->ready',
      'li:ready->away',
    ]);
  });

  it('as the inbound agent source: a free agent of the language now, or null without waiting', async () => {
    const r = new AgentRegistry(AGENTS);
    const lease = await r.acquire({ callId: 'c1', language: 'zh-CN' });
    expect(lease).toMatchObject({ agentId: 'li', target: 'sip:li@pbx.example' });
    expect(await r.acquire({ callId: 'c2', language: 'zh-CN' })).toBeNull();
    lease!.engaged();
    expect(r.get('li')?.state).toBe('on-call');
  });

  it('rejects a bad agent config with the field named', () => {
    expect(() => new AgentRegistry([{ id: 'a b', name: 'x', target: 't' }])).toThrow(/letters, digits/);
  });
});

describe('agents HTTP API', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  async function start(registry: AgentRegistry, token?: string): Promise<string> {
    server = createHttpServer({
      log: createRootLogger({ level: 'silent' }),
      metrics: new Metrics(),
      isReady: () => true,
      routes: [agentsApi(registry, token ? { token } : {})],
    });
    const port = await listen(server, 0, '127.0.0.1');
    return `http://127.0.0.1:${port}`;
  }

  it('lists agents and sets availability', async () => {
    const registry = new AgentRegistry(AGENTS);
    const base = await start(registry);
    const list = (await (await fetch(`${base}/agents`)).json()) as {
      agents: { id: string; available: boolean }[];
    };
    expect(list.agents.map((a) => [a.id, a.available])).toEqual([
      ['ann', true],
      ['li', true],
    ]);
    const put = await fetch(`${base}/agents/ann/availability`, {
      method: 'PUT',
      body: '{"available":false}',
    });
    expect(put.status).toBe(200);
    expect(registry.get('ann')?.available).toBe(false);
    expect(((await (await fetch(`${base}/agents/ann`)).json()) as { available: boolean }).available).toBe(
      false,
    );
  });

  it('bad bodies get 400 with a hint; unknown agents 404; other paths fall through', async () => {
    const base = await start(new AgentRegistry(AGENTS));
    const bad = await fetch(`${base}/agents/ann/availability`, {
      method: 'PUT',
      body: '{"available":"yes"}',
    });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { message: string; hint: string };
    expect(body.message).toMatch(/available/);
    expect(body.hint).toMatch(/true/);
    expect((await fetch(`${base}/agents/ann/availability`, { method: 'PUT', body: 'nope' })).status).toBe(
      400,
    );
    expect(
      (await fetch(`${base}/agents/zed/availability`, { method: 'PUT', body: '{"available":true}' })).status,
    ).toBe(404);
    expect((await fetch(`${base}/agents/zed`)).status).toBe(404);
    expect((await fetch(`${base}/agents`, { method: 'DELETE' })).status).toBe(405);
    expect((await fetch(`${base}/elsewhere`)).status).toBe(404);
  });

  it('PUT /agents/:id/state sets ready or away; the answer shows the state', async () => {
    const registry = new AgentRegistry(AGENTS);
    const base = await start(registry);
    registry.reserve('c1', 'en-US');
    registry.engaged('ann', 'c1');
    const put = (body: string) => fetch(`${base}/agents/ann/state`, { method: 'PUT', body });
    const ready = await put('{"state":"ready"}');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ id: 'ann', state: 'ready', available: true, callId: null });
    expect(registry.get('ann')?.state).toBe('ready');
    expect(((await (await put('{"state":"away"}')).json()) as { state: string }).state).toBe('away');
    const bad = await put('{"state":"on-call"}');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { hint: string }).hint).toMatch(/"ready"/);
    const list = (await (await fetch(`${base}/agents`)).json()) as { agents: { state: string }[] };
    expect(list.agents.map((a) => a.state)).toEqual(['away', 'ready']);
  });

  it('with a token every request needs it as a bearer token', async () => {
    const base = await start(new AgentRegistry(AGENTS), 'agents-token-0123456789');
    expect((await fetch(`${base}/agents`)).status).toBe(401);
    const wrong = await fetch(`${base}/agents`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { hint: string }).hint).toMatch(/VOICEBOT_ADMIN_TOKEN/);
    const ok = await fetch(`${base}/agents/li/state`, {
      method: 'PUT',
      headers: { authorization: 'Bearer agents-token-0123456789' },
      body: '{"state":"away"}',
    });
    expect(ok.status).toBe(200);
  });
});
