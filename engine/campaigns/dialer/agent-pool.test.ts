/**
 * RegistryAgentPool over a real AgentRegistry: counts by state and queue, an agent at once, a
 * wait that ends when an agent is marked ready over the real agents HTTP API, time-outs in
 * virtual time, abort, first come first served, language, and the lease's engaged/release.
 */
import type { Server } from 'node:http';
import { describe, expect, it } from 'vitest';
import { agentsApi } from '../../agents/agents-api.ts';
import { type AgentConfig, AgentRegistry } from '../../agents/registry.ts';
import type { AgentLease } from '../../agents/source.ts';
import { createHttpServer, listen } from '../../http/server.ts';
import { createRootLogger } from '../../log/logger.ts';
import { Metrics } from '../../metrics/metrics.ts';
import { RegistryAgentPool } from './agent-pool.ts';
import { VirtualClock } from './clock.ts';

const T0 = Date.parse('2026-06-10T14:00:00Z');
const agent = (id: string, over: Partial<AgentConfig> = {}): AgentConfig => ({
  id,
  name: id,
  target: `sip:${id}@pbx.example`,
  ...over,
});

function setup(agents: AgentConfig[], queue?: string) {
  const clock = new VirtualClock(T0);
  const registry = new AgentRegistry(agents, { now: () => clock.now() });
  const pool = new RegistryAgentPool(registry, { clock, ...(queue ? { queue } : {}) });
  return { clock, registry, pool };
}

/** Starts an acquire and records when (virtual ms after T0) and with what it resolved. */
function pending(clock: VirtualClock, p: Promise<AgentLease | null>) {
  const state: { done: boolean; lease: AgentLease | null; atMs: number } = {
    done: false,
    lease: null,
    atMs: -1,
  };
  void p.then((lease) => {
    Object.assign(state, { done: true, lease, atMs: clock.now() - T0 });
  });
  return state;
}

describe('RegistryAgentPool', () => {
  it('counts the queue’s agents by state: on a call is logged in, away is not', async () => {
    const { registry, pool } = setup(
      [
        agent('ann', { queues: ['sales'] }),
        agent('bob'), // every queue
        agent('cy', { queues: ['support'] }),
        agent('di', { queues: ['sales'], available: false }),
      ],
      'sales',
    );
    expect(pool.size()).toBe(3);
    expect([pool.loggedIn(), pool.ready(), pool.waiting()]).toEqual([2, 2, 0]);
    const lease = await pool.acquire({ maxWaitMs: 0, callId: 'c1' });
    expect(lease).toMatchObject({ agentId: 'ann', target: 'sip:ann@pbx.example' });
    expect(registry.get('ann')).toMatchObject({ state: 'reserved', reservedBy: 'c1', callId: 'c1' });
    expect([pool.loggedIn(), pool.ready()]).toEqual([2, 1]);
    lease!.engaged();
    expect(registry.get('ann')).toMatchObject({ state: 'on-call', callId: 'c1', available: false });
    expect([pool.loggedIn(), pool.ready()]).toEqual([2, 1]);
    // The support-only agent is never handed a sales call.
    expect((await pool.acquire({ maxWaitMs: 0, callId: 'c2' }))?.agentId).toBe('bob');
    expect(await pool.acquire({ maxWaitMs: 0, callId: 'c3' })).toBeNull();
    expect(registry.get('cy')?.state).toBe('ready');
  });

  it('release frees an agent never engaged; after engaged it changes nothing', async () => {
    const { registry, pool } = setup([agent('ann')]);
    const first = await pool.acquire({ maxWaitMs: 0, callId: 'c1' });
    first!.release();
    expect(registry.get('ann')?.state).toBe('ready');
    const second = await pool.acquire({ maxWaitMs: 0, callId: 'c2' });
    second!.engaged();
    second!.release();
    first!.release(); // a stale lease of an earlier call
    expect(registry.get('ann')).toMatchObject({ state: 'on-call', callId: 'c2' });
  });

  it('a waiting call gets the agent marked ready over the HTTP API, at once', async () => {
    const { clock, registry, pool } = setup([agent('ann')]);
    (await pool.acquire({ maxWaitMs: 0, callId: 'c1' }))!.engaged();
    const server: Server = createHttpServer({
      log: createRootLogger({ level: 'silent' }),
      metrics: new Metrics(),
      isReady: () => true,
      routes: [agentsApi(registry)],
    });
    try {
      const port = await listen(server, 0, '127.0.0.1');
      const wait = pending(clock, pool.acquire({ maxWaitMs: 5000, callId: 'c2' }));
      await clock.settle();
      expect([wait.done, pool.waiting(), pool.ready()]).toEqual([false, 1, 0]);
      const res = await fetch(`http://127.0.0.1:${port}/agents/ann/state`, {
        method: 'PUT',
        body: '{"state":"ready"}',
      });
      expect(res.status).toBe(200);
      await clock.settle();
      expect(wait).toMatchObject({ done: true, atMs: 0 });
      expect(wait.lease?.agentId).toBe('ann');
      expect(registry.get('ann')).toMatchObject({ state: 'reserved', reservedBy: 'c2' });
      expect(pool.waiting()).toBe(0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('nobody ready within maxWaitMs: null exactly then, and the waiter is gone', async () => {
    const { clock, registry, pool } = setup([agent('ann', { available: false })]);
    const wait = pending(clock, pool.acquire({ maxWaitMs: 2000, callId: 'c1' }));
    await clock.run(() => wait.done, 60_000);
    expect(wait).toMatchObject({ done: true, lease: null, atMs: 2000 });
    expect(pool.waiting()).toBe(0);
    registry.setState('ann', 'ready'); // nobody waits any more: the agent stays ready
    expect(registry.get('ann')?.state).toBe('ready');
  });

  it('an aborted wait (the caller hung up) ends at once and takes no agent', async () => {
    const { clock, registry, pool } = setup([agent('ann', { available: false })]);
    const gone = new AbortController();
    const wait = pending(clock, pool.acquire({ maxWaitMs: 2000, callId: 'c1', signal: gone.signal }));
    await clock.settle();
    gone.abort();
    await clock.settle();
    expect(wait).toMatchObject({ done: true, lease: null, atMs: 0 });
    registry.setState('ann', 'ready');
    expect(registry.get('ann')?.state).toBe('ready');
    expect(await pool.acquire({ maxWaitMs: 10, callId: 'c2', signal: gone.signal })).toBeNull();
  });

  it('first come first served; a waiter for another language does not hold up the line', async () => {
    const { clock, registry, pool } = setup([
      agent('ann', { available: false }),
      agent('li', { languages: ['zh-CN'], available: false }),
    ]);
    const zh = pending(clock, pool.acquire({ maxWaitMs: 5000, callId: 'zh', language: 'zh-CN' }));
    const en1 = pending(clock, pool.acquire({ maxWaitMs: 5000, callId: 'en1', language: 'en-US' }));
    const en2 = pending(clock, pool.acquire({ maxWaitMs: 5000, callId: 'en2', language: 'en-US' }));
    await clock.settle();
    expect(pool.waiting()).toBe(3);
    registry.setState('ann', 'ready');
    await clock.settle();
    expect([zh.done, en1.lease?.agentId, en2.done]).toEqual([false, 'ann', false]);
    registry.setState('li', 'ready');
    await clock.settle();
    expect(zh.lease?.agentId).toBe('li');
    // en1's transfer failed: ann goes to the next in line, not to a newcomer.
    en1.lease!.release();
    await clock.settle();
    const late = pending(clock, pool.acquire({ maxWaitMs: 5000, callId: 'late', language: 'en-US' }));
    await clock.settle();
    expect([en2.lease?.agentId, late.done, pool.waiting()]).toEqual(['ann', false, 1]);
  });

  it('an agent who goes away while being connected is away once the transfer fails', async () => {
    const { registry, pool } = setup([agent('ann')]);
    const lease = await pool.acquire({ maxWaitMs: 0, callId: 'c1' });
    expect(registry.setState('ann', 'away')).toMatchObject({ state: 'reserved', available: false });
    lease!.release();
    expect(registry.get('ann')?.state).toBe('away');
    expect(pool.loggedIn()).toBe(0);
  });

  it('close() stops following the registry', async () => {
    const { clock, registry, pool } = setup([agent('ann', { available: false })]);
    const wait = pending(clock, pool.acquire({ maxWaitMs: 1000, callId: 'c1' }));
    await clock.settle();
    pool.close();
    registry.setState('ann', 'ready');
    await clock.run(() => wait.done, 5000);
    expect(wait).toMatchObject({ lease: null, atMs: 1000 });
    expect(registry.get('ann')?.state).toBe('ready');
  });
});
