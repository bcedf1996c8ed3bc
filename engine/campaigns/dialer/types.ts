import type { CallLeg } from '../../../telephony/call-leg.ts';
import type { AgentLease, AgentRequest } from '../../agents/source.ts';
import type { Campaign, Disposition } from '../model.ts';
import type { ContactRow } from '../store/types.ts';

/** What runs on an answered leg, and hands the dialer the outcome. */
export interface CallContext {
  campaign: Campaign;
  contact: ContactRow;
  attemptId: string;
  attemptNo: number;
  /** Aborted when the dialer shuts down hard or loses the lease. */
  signal: AbortSignal;
  /**
   * A person answered (AMD said human, or AMD is off): counts one live answer, the denominator
   * of the abandon rate. Once per call; later calls do nothing.
   */
  liveAnswer(): void;
  /**
   * Transfer scripts: an agent of the campaign's transfer queue within its transfer wait, or
   * null (the person was abandoned: end with 'abandoned'). Counts the drop (once per call) for
   * the pacing governor; the live answer is counted by liveAnswer(), not here.
   */
  requestAgent(request?: Partial<AgentRequest>): Promise<AgentLease | null>;
  /** Adds the callee to the do-not-call list now (before the call ends). */
  optOut(reason?: string): Promise<void>;
}

export interface CallOutcome {
  disposition: Disposition;
  /** Slots/answers the script collected. */
  answers?: Record<string, unknown>;
  /** Where the transcript is kept (an id or path; the text itself stays out of the store). */
  transcriptRef?: string;
  recordingPath?: string;
}

/** The seam the call-session runtime fills: run the campaign's dialog on the leg. */
export type RunCall = (leg: CallLeg, ctx: CallContext) => Promise<CallOutcome>;

/** Progress events (dotted lowercase types), for the CLI and logs. */
export type DialerEvent =
  | { type: 'call.dialing'; attemptId: string; contactId: number; trunk: string; atMs: number }
  | {
      type: 'call.result';
      attemptId: string;
      contactId: number;
      disposition: Disposition;
      recorded: string;
      nextAttemptAtMs: number | null;
      atMs: number;
    }
  | { type: 'dialer.idle'; atMs: number }
  | { type: 'dialer.done'; atMs: number };
