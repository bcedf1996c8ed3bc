/**
 * The agent registry: the human agents calls are handed to, one per engine process, shared by
 * inbound sessions (which take a free agent now or nobody) and the campaign dialers (which wait
 * for one through RegistryAgentPool). Agents come from config (id, name, transfer target,
 * languages, queues); their state changes through the HTTP API (agents-api.ts) and transfers:
 *
 *   ready --reserve--> reserved --engaged--> on-call --agent marks ready--> ready
 *                         \--release--> ready (or away, if they asked while reserved)
 *   ready | on-call --agent marks away--> away --agent marks ready--> ready
 *
 * Every change is announced to onChange() listeners, so waiting calls wake when an agent is ready.
 */
import { z } from 'zod';
import type { Language } from '../../asr-tts/asr.ts';
import type { AgentLease, AgentRequest, AgentSource } from './source.ts';

export const AGENT_STATES = ['ready', 'reserved', 'on-call', 'away'] as const;
export type AgentState = (typeof AGENT_STATES)[number];
/** The states an agent sets themselves; reserved and on-call come from transfers. */
export type AgentSetState = 'ready' | 'away';

export const agentSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'use letters, digits, _ . - (at most 64)'),
  name: z.string().min(1),
  /** Where a transfer goes: sip:agent@pbx, tel:+44..., or a name the transport resolves. */
  target: z.string().min(1),
  languages: z
    .array(z.enum(['en-US', 'zh-CN']))
    .min(1)
    .default(['en-US']),
  /** Campaign transfer queues this agent takes calls from; empty: every queue. */
  queues: z.array(z.string().min(1)).default([]),
  /** Ready at start (true) or away (false). */
  available: z.boolean().default(true),
});

export type AgentConfig = z.input<typeof agentSchema>;
export type Agent = z.infer<typeof agentSchema>;

export interface AgentStatus extends Agent {
  state: AgentState;
  /** Takes calls: ready, or reserved for a transfer now connecting (as before states existed). */
  available: boolean;
  /** The call being connected to the agent (state reserved), else null. */
  reservedBy: string | null;
  /** The call the agent is reserved for or on (reserved, on-call), else null. */
  callId: string | null;
  /** When the state last changed (epoch ms). */
  since: number;
}

export type AgentListener = (agent: AgentStatus, previous: AgentState) => void;

interface Entry {
  agent: Agent;
  state: AgentState;
  callId: string | null;
  since: number;
  /** Asked to go away while reserved: away once the transfer is settled. */
  awayAfter: boolean;
}

/** Whether an agent takes calls from `queue` (no queue asked: any agent). */
export function servesQueue(agent: Pick<Agent, 'queues'>, queue: string | undefined): boolean {
  return queue === undefined || agent.queues.length === 0 || agent.queues.includes(queue);
}

export class AgentRegistry implements AgentSource {
  private readonly agents = new Map<string, Entry>();
  private readonly listeners = new Set<AgentListener>();
  private readonly now: () => number;

  constructor(agents: readonly AgentConfig[] = [], options: { now?: () => number } = {}) {
    this.now = options.now ?? Date.now;
    for (const raw of agents) {
      const agent = agentSchema.parse(raw);
      const state = agent.available ? 'ready' : 'away';
      this.agents.set(agent.id, { agent, state, callId: null, since: this.now(), awayAfter: false });
    }
  }

  private status(e: Entry): AgentStatus {
    return {
      ...e.agent,
      languages: [...e.agent.languages],
      queues: [...e.agent.queues],
      state: e.state,
      available: e.state === 'ready' || (e.state === 'reserved' && !e.awayAfter),
      reservedBy: e.state === 'reserved' ? e.callId : null,
      callId: e.callId,
      since: e.since,
    };
  }

  list(): AgentStatus[] {
    return [...this.agents.values()].map((e) => this.status(e));
  }

  get(id: string): AgentStatus | undefined {
    const e = this.agents.get(id);
    return e ? this.status(e) : undefined;
  }

  /** Calls `listener` after every state change; returns the unsubscribe function. */
  onChange(listener: AgentListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private move(e: Entry, state: AgentState, callId: string | null): void {
    const previous = e.state;
    e.state = state;
    e.callId = callId;
    e.since = this.now();
    if (state !== 'reserved') e.awayAfter = false;
    const snapshot = this.status(e);
    for (const listener of [...this.listeners]) {
      try {
        listener(snapshot, previous);
      } catch {
        // A listener's failure must not undo or block the change for the others.
      }
    }
  }

  /**
   * The agent's own state (the HTTP API): `ready` after a call or a break, `away` for a break.
   * While a transfer to them is connecting (reserved), `away` applies once it is settled and
   * `ready` changes nothing. Undefined when there is no such agent.
   */
  setState(id: string, state: AgentSetState): AgentStatus | undefined {
    const e = this.agents.get(id);
    if (!e) return undefined;
    if (e.state === 'reserved') e.awayAfter = state === 'away';
    else if (e.state !== state) this.move(e, state, null);
    return this.status(e);
  }

  /** Compatibility form of setState: true = ready, false = away. False when there is no such agent. */
  setAvailable(id: string, available: boolean): boolean {
    return this.setState(id, available ? 'ready' : 'away') !== undefined;
  }

  /**
   * Picks and reserves a ready agent (first configured first) speaking `language` (any when
   * absent) and taking calls from `queue` (any when absent); null when none.
   */
  reserve(callId: string, language?: Language, queue?: string): AgentStatus | null {
    for (const e of this.agents.values()) {
      const speaks = language === undefined || e.agent.languages.includes(language);
      if (e.state === 'ready' && speaks && servesQueue(e.agent, queue)) {
        this.move(e, 'reserved', callId);
        return this.status(e);
      }
    }
    return null;
  }

  /** The transfer failed or was not made: the agent is ready again (or away, if they asked). */
  release(id: string, callId?: string): void {
    const e = this.reservedFor(id, callId);
    if (e) this.move(e, e.awayAfter ? 'away' : 'ready', null);
  }

  /** The transfer succeeded: the agent is on the call until they mark themselves ready. */
  engaged(id: string, callId?: string): void {
    const e = this.reservedFor(id, callId);
    if (e) this.move(e, 'on-call', e.callId);
  }

  /** The agent if reserved (for `callId`, when given). */
  private reservedFor(id: string, callId: string | undefined): Entry | undefined {
    const e = this.agents.get(id);
    const mine = e?.state === 'reserved' && (callId === undefined || e.callId === callId);
    return mine ? e : undefined;
  }

  /** The lease of a reserved agent for one call (engaged / release once). */
  leaseOf(agent: AgentStatus, callId: string): AgentLease {
    let settled = false;
    return {
      agentId: agent.id,
      target: agent.target,
      engaged: () => {
        if (settled) return;
        settled = true;
        this.engaged(agent.id, callId);
      },
      release: () => {
        if (settled) return;
        settled = true;
        this.release(agent.id, callId);
      },
    };
  }

  /** AgentSource for inbound calls: a ready agent of the call's language now, or null (no waiting). */
  async acquire(request: AgentRequest): Promise<AgentLease | null> {
    const agent = this.reserve(request.callId, request.language);
    return agent ? this.leaseOf(agent, request.callId) : null;
  }
}
