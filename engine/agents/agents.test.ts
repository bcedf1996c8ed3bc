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

  it('rejects a bad agent config with the field named', () => {
    expect(() => new AgentRegistry([{ id: 'a b', name: 'x', target: 't' }])).toThrow(/letters, digits/);
  });
});

describe('agents HTTP API', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  async function start(registry: AgentRegistry): Promise<string> {
    server = createHttpServer({
      log: createRootLogger({ level: 'silent' }),
      metrics: new Metrics(),
      isReady: () => true,
      routes: [agentsApi(registry)],
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
});
