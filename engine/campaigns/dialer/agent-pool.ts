/**
 * The dialer's view of the human agents of a transfer campaign: RegistryAgentPool over the
 * engine's AgentRegistry (the one the agents HTTP API and inbound sessions use), limited to the
 * agents of the campaign's transfer queue. A call waits up to the campaign's transfer wait for a
 * ready agent; waiting calls are served first come first served as agents become ready.
 */
import type { Language } from '../../../asr-tts/asr.ts';
import { type AgentRegistry, type AgentStatus, servesQueue } from '../../agents/registry.ts';
import type { AgentLease } from '../../agents/source.ts';
import { type DialerClock, realDialerClock } from './clock.ts';

export type { AgentLease } from '../../agents/source.ts';

export interface PoolRequest {
  /** Longest wait for a ready agent; after it the call is abandoned (null). */
  maxWaitMs: number;
  /** The call (reserved agents show it). */
  callId: string;
  language?: Language;
  signal?: AbortSignal;
}

/** Human agents that answered calls are handed to (transfer scripts). */
export interface AgentPool {
  /** Agents taking calls: ready, being connected or on a call (not away). */
  loggedIn(): number;
  ready(): number;
  /** People waiting for an agent now. */
  waiting(): number;
  /** A ready agent within `maxWaitMs`, or null (the call is abandoned). */
  acquire(request: PoolRequest): Promise<AgentLease | null>;
}

interface Waiter {
  callId: string;
  language: Language | undefined;
  lease: AgentLease | null;
  wake: AbortController;
}

export class RegistryAgentPool implements AgentPool {
  private readonly waiters: Waiter[] = [];
  private readonly unsubscribe: () => void;
  private readonly clock: DialerClock;
  readonly queue: string | undefined;

  constructor(
    private readonly registry: AgentRegistry,
    options: { queue?: string; clock?: DialerClock } = {},
  ) {
    this.queue = options.queue;
    this.clock = options.clock ?? realDialerClock;
    this.unsubscribe = registry.onChange((agent) => {
      if (agent.state === 'ready' && servesQueue(agent, this.queue)) this.serve();
    });
  }

  private agents(): AgentStatus[] {
    return this.registry.list().filter((a) => servesQueue(a, this.queue));
  }

  /** Agents of the queue, whatever their state. */
  size(): number {
    return this.agents().length;
  }

  loggedIn(): number {
    return this.agents().filter((a) => a.state !== 'away').length;
  }

  ready(): number {
    return this.agents().filter((a) => a.state === 'ready').length;
  }

  waiting(): number {
    return this.waiters.length;
  }

  private take(callId: string, language: Language | undefined): AgentLease | null {
    const agent = this.registry.reserve(callId, language, this.queue);
    return agent ? this.registry.leaseOf(agent, callId) : null;
  }

  /** An agent became ready: hand ready agents to the waiters in arrival order. */
  private serve(): void {
    for (let i = 0; i < this.waiters.length; ) {
      const w = this.waiters[i]!;
      const lease = this.take(w.callId, w.language);
      if (!lease) {
        i++;
        continue;
      }
      this.waiters.splice(i, 1);
      w.lease = lease;
      w.wake.abort();
    }
  }

  async acquire(request: PoolRequest): Promise<AgentLease | null> {
    if (request.signal?.aborted) return null;
    // In line behind earlier waiters: a new call only takes an agent none of them can use.
    const waiter: Waiter = {
      callId: request.callId,
      language: request.language,
      lease: null,
      wake: new AbortController(),
    };
    this.waiters.push(waiter);
    this.serve();
    const onAbort = () => waiter.wake.abort();
    request.signal?.addEventListener('abort', onAbort, { once: true });
    if (!waiter.lease && request.maxWaitMs > 0) await this.clock.sleep(request.maxWaitMs, waiter.wake.signal);
    request.signal?.removeEventListener('abort', onAbort);
    const i = this.waiters.indexOf(waiter);
    if (i >= 0) this.waiters.splice(i, 1);
    if (waiter.lease && request.signal?.aborted) {
      waiter.lease.release(); // served as the caller left: nobody to connect
      return null;
    }
    return waiter.lease;
  }

  /** Stops following the registry; waiting calls time out as usual. */
  close(): void {
    this.unsubscribe();
  }
}
