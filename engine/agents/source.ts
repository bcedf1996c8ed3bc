/**
 * Where a call session gets a human agent for a transfer. Inbound calls use the agent registry
 * itself (a free agent now or nobody); campaign calls use a source that asks the dialer, which
 * may wait for an agent and counts a person not connected in time as an abandoned call.
 */
import type { Language } from '../../asr-tts/asr.ts';

/** One agent held for one call until the transfer is settled. */
export interface AgentLease {
  agentId: string;
  /** Where the transfer goes (the agent's configured target). */
  target: string;
  /** The transfer succeeded: the agent is on the call until they mark themselves ready. */
  engaged(): void;
  /** The transfer did not happen or failed: the agent is free again. No-op after engaged(). */
  release(): void;
}

export interface AgentRequest {
  /** The call the agent is for (shown on the agent while reserved / on the call). */
  callId: string;
  /** Only agents speaking this language; absent: any. */
  language?: Language;
  /** Aborted when the call no longer wants an agent (the caller hung up). */
  signal?: AbortSignal;
}

export interface AgentSource {
  /** An agent for this call, or null when none could be had. */
  acquire(request: AgentRequest): Promise<AgentLease | null>;
}
