import type { DialerClock } from './clock.ts';

/** Human agents that answered calls are handed to (transfer scripts). */
export interface AgentLease {
  agentId: string;
  /** The agent is free again (after the call and its wrap-up). */
  release(): void;
}

export interface AgentPool {
  loggedIn(): number;
  ready(): number;
  /** People waiting for an agent now. */
  waiting(): number;
  /** An agent within `maxWaitMs`, or null (the call is abandoned). */
  acquire(maxWaitMs: number, signal?: AbortSignal): Promise<AgentLease | null>;
}

/** Agents of this engine process, first come first served. */
export class LocalAgentPool implements AgentPool {
  private free: string[];
  private readonly total: number;
  private readonly waiters: { give: (id: string) => void }[] = [];
  private readonly clock: DialerClock;

  constructor(agentIds: readonly string[], clock: DialerClock) {
    this.free = [...agentIds];
    this.total = agentIds.length;
    this.clock = clock;
  }

  loggedIn(): number {
    return this.total;
  }

  ready(): number {
    return this.free.length;
  }

  waiting(): number {
    return this.waiters.length;
  }

  private lease(agentId: string): AgentLease {
    let released = false;
    return {
      agentId,
      release: () => {
        if (released) return;
        released = true;
        const next = this.waiters.shift();
        if (next) next.give(agentId);
        else this.free.push(agentId);
      },
    };
  }

  async acquire(maxWaitMs: number, signal?: AbortSignal): Promise<AgentLease | null> {
    const id = this.free.shift();
    if (id !== undefined) return this.lease(id);
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    let got: string | null = null;
    const waiter = {
      give: (agentId: string) => {
        got = agentId;
        stop.abort();
      },
    };
    this.waiters.push(waiter);
    await this.clock.sleep(maxWaitMs, stop.signal);
    signal?.removeEventListener('abort', onAbort);
    const i = this.waiters.indexOf(waiter);
    if (i >= 0) this.waiters.splice(i, 1);
    return got === null ? null : this.lease(got);
  }
}
