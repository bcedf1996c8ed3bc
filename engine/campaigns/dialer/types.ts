import type { CallLeg } from '../../../telephony/call-leg.ts';
import type { Campaign, Disposition } from '../model.ts';
import type { ContactRow } from '../store/types.ts';
import type { AgentLease } from './agent-pool.ts';

/** What runs on an answered leg, and hands the dialer the outcome. */
export interface CallContext {
  campaign: Campaign;
  contact: ContactRow;
  attemptId: string;
  attemptNo: number;
  /** Aborted when the dialer shuts down hard or loses the lease. */
  signal: AbortSignal;
  /**
   * Transfer scripts: a free agent within the campaign's transfer wait, or null (the person
   * was abandoned: play the information message and end with 'abandoned'). Counts the live
   * answer and any drop for the pacing governor.
   */
  requestAgent(): Promise<AgentLease | null>;
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
