/**
 * The agent registry: the human agents a call can be handed to, and who is free now. Agents
 * come from config (id, name, transfer target, languages); availability is set over the HTTP
 * API (agents-api.ts) and by the session, which reserves an agent for a transfer. Shared with
 * campaigns later. In memory, per engine.
 */
import { z } from 'zod';
import type { Language } from '../../asr-tts/asr.ts';

export const agentSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'use letters, digits, _ . - (at most 64)'),
  name: z.string().min(1),
  /** Where a transfer goes: sip:agent@pbx, tel:+44..., or a name the transport resolves. */
  target: z.string().min(1),
  languages: z
    .array(z.enum(['en-US', 'zh-CN']))
    .min(1)
    .default(['en-US']),
  available: z.boolean().default(true),
});

export type AgentConfig = z.input<typeof agentSchema>;
export type Agent = z.infer<typeof agentSchema>;

export interface AgentStatus extends Agent {
  /** Reserved by a transfer in progress (callId). */
  reservedBy: string | null;
}

export class AgentRegistry {
  private readonly agents = new Map<string, AgentStatus>();

  constructor(agents: readonly AgentConfig[] = []) {
    for (const raw of agents) {
      const agent = agentSchema.parse(raw);
      this.agents.set(agent.id, { ...agent, reservedBy: null });
    }
  }

  list(): AgentStatus[] {
    return [...this.agents.values()].map((a) => ({ ...a }));
  }

  get(id: string): AgentStatus | undefined {
    const a = this.agents.get(id);
    return a ? { ...a } : undefined;
  }

  /** Sets an agent's availability; false when there is no such agent. */
  setAvailable(id: string, available: boolean): boolean {
    const a = this.agents.get(id);
    if (!a) return false;
    a.available = available;
    if (available) a.reservedBy = null;
    return true;
  }

  /** Picks and reserves a free agent speaking `language` (first configured first); null when none. */
  reserve(callId: string, language: Language): AgentStatus | null {
    for (const a of this.agents.values()) {
      if (a.available && a.reservedBy === null && a.languages.includes(language)) {
        a.reservedBy = callId;
        return { ...a };
      }
    }
    return null;
  }

  /** The transfer failed: the agent is free again. */
  release(id: string): void {
    const a = this.agents.get(id);
    if (a) a.reservedBy = null;
  }

  /** The transfer succeeded: the agent is on the call until they mark themselves available. */
  engaged(id: string): void {
    const a = this.agents.get(id);
    if (!a) return;
    a.reservedBy = null;
    a.available = false;
  }
}
