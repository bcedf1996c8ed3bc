/**
 * A Carrier places outbound calls for the dialer: `sim` (simulated callees, real audio through
 * the WS gateway), `twilio` (REST call creation + Media Streams), `sip` (the SIP edge's UAC).
 * The dialer sees only this interface.
 */
import type { Disposition } from '../../engine/campaigns/model.ts';
import type { CallLeg } from '../call-leg.ts';

/** Dispositions a carrier can report for a call that was not answered. */
export type UnansweredDisposition = Extract<
  Disposition,
  'busy' | 'no-answer' | 'invalid' | 'declined' | 'congestion' | 'failed'
>;

/** What the carrier should do about answering-machine detection. */
export interface AmdRequest {
  /**
   * 'off': no detection; 'engine': the engine classifies the answered audio itself
   * (engine/amd, run by the dialer on the leg); 'provider': ask the carrier's own AMD too
   * (Twilio MachineDetection) when it has one.
   */
  mode: 'off' | 'engine' | 'provider';
}

export interface OriginateRequest {
  campaignId: string;
  /** The store's attempt id: it names the call end to end (matched on the media stream). */
  attemptId: string;
  /** Callee, E.164 (personal data: log only under `pii`). */
  to: string;
  /** Caller ID shown to the callee, E.164. */
  from: string;
  /** Give up ringing after this long -> 'no-answer'. */
  ringTimeoutMs: number;
  amd: AmdRequest;
  /** Free key/values carried to the leg's `info.parameters` (script name, contact variables...). */
  parameters?: Record<string, string>;
  /** Aborting cancels a ringing call (-> 'no-answer' with code 'canceled'). */
  signal?: AbortSignal;
}

/** Hooks on the leg before the dialog starts: early media for AMD. */
export interface EarlyMedia {
  /**
   * Milliseconds between the answer and the first audio frame the leg delivered (0 when
   * unknown). AMD timings are measured from the first frame.
   */
  answeredAtMs: number;
  /** The carrier's own AMD verdict when it was asked for one (Twilio AnsweredBy). */
  providerAmd?: string;
  /** The network sent early media (SIP 183 with SDP) before the answer. */
  earlyMedia?: boolean;
}

export interface AnsweredResult {
  status: 'answered';
  /** The callee's leg, `info.direction === 'outbound'`, `info.parameters.attemptId` set. */
  leg: CallLeg;
  /** The carrier's call id (Twilio CallSid, SIP Call-ID, sim call id). */
  providerCallId: string;
  /** From originate() to the answer. */
  ringMs: number;
  early: EarlyMedia;
}

export interface UnansweredResult {
  status: 'unanswered';
  disposition: UnansweredDisposition;
  /** The code that decided it: 'sip:486', 'q850:17', 'twilio:busy', 'sim:busy', ... */
  code: string;
  /** Human-readable detail (no personal data). */
  detail?: string;
  providerCallId?: string;
  ringMs: number;
}

export type OriginateResult = AnsweredResult | UnansweredResult;

export interface CarrierCapabilities {
  /** Calls started per second the carrier accepts (the dialer's token bucket rate). */
  cps: number;
  /** Calls up at once (ringing + answered). */
  maxConcurrent: number;
  /** Whether `amd.mode: 'provider'` does anything. */
  providerAmd: boolean;
}

export interface Carrier {
  /** 'sim', 'twilio', 'sip'. */
  readonly name: string;
  readonly capabilities: CarrierCapabilities;
  /**
   * Places one call. Resolves when it is answered or has definitely failed; rejects only for
   * misuse (bad request, closed carrier) with a VoicebotError (CARRIER_* codes).
   */
  originate(request: OriginateRequest): Promise<OriginateResult>;
  /** Ends ringing calls (-> 'no-answer', code 'closed') and releases the carrier's resources. */
  close(): Promise<void>;
}
