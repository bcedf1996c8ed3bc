import type { AudioFrame, SampleRate } from '../engine/audio/frame.ts';

/**
 * A CallLeg is one party's audio and signalling, whatever carries it (Twilio Media Streams,
 * raw L16 WebSocket, SIP/RTP). Dialogs and the call-session runtime only ever see this.
 *
 * Outbound audio is queued and paced in real time (one 20 ms frame per tick) by the transport,
 * so `clear()` (barge-in) stops playback at once: at most one frame is already on the wire.
 */
export type CallDirection = 'inbound' | 'outbound';

export interface CallInfo {
  callId: string;
  /** Which transport carries the leg: 'twilio', 'raw', 'sip', ... */
  transport: string;
  direction: CallDirection;
  /** Caller and callee as given by the platform (personal data: log only under `pii`). */
  from?: string;
  to?: string;
  /** The platform's own call id (Twilio CallSid, SIP Call-ID, ...). */
  providerCallId?: string;
  /** Free key/values from the platform (Twilio customParameters, raw metadata). */
  parameters: Record<string, string>;
  /** Rate of `audio` events (the caller's audio) and the rate `sendAudio` expects. */
  sampleRate: SampleRate;
}

export type DtmfSource = 'signal' | 'rfc4733' | 'inband' | 'sip-info';

export interface DtmfEvent {
  digit: string;
  source: DtmfSource;
  durationMs?: number;
}

export interface MarkEvent {
  name: string;
  /** true when everything queued before the mark was played; false when a clear() dropped it. */
  played: boolean;
}

export type HangupReason = 'caller' | 'bot' | 'transfer' | 'error' | 'timeout' | 'shutdown';

export interface HangupEvent {
  reason: HangupReason;
  detail?: string;
}

export interface TransferRequest {
  /** `sip:agent@pbx`, `tel:+4420...`, or an agent/queue name the transport resolves. */
  target: string;
  reason?: string;
  /** Short, redacted-at-log-time summary for the agent (slots so far, last turns). */
  summary?: string;
}

export interface TransferResult {
  ok: boolean;
  detail?: string;
}

export interface CallLegEvents {
  /** The caller's audio, one frame at a time, at `info.sampleRate`. */
  audio: [frame: AudioFrame];
  dtmf: [event: DtmfEvent];
  mark: [event: MarkEvent];
  /** All queued outbound audio has been sent (the queue ran empty). */
  drained: [];
  hangup: [event: HangupEvent];
  /** A non-fatal problem with the peer's input (already logged and counted). */
  warning: [event: { code: string; message: string }];
}

export interface CallLeg {
  readonly info: CallInfo;
  readonly active: boolean;
  /** Queue one frame of bot audio (any length; it is re-framed to 20 ms and paced). */
  sendAudio(frame: AudioFrame): void;
  /** Queue a mark; a `mark` event fires when the audio before it has played (or was cleared). */
  mark(name: string): void;
  /** Barge-in: drop all queued audio now; pending marks fire with played=false. */
  clear(): void;
  /** Milliseconds of audio queued and not yet sent. */
  queuedMs(): number;
  /** Hand the caller to a human. Transports that cannot transfer reject with TRANSFER_UNSUPPORTED. */
  transfer(request: TransferRequest): Promise<TransferResult>;
  hangup(detail?: string): void;
  on<E extends keyof CallLegEvents>(event: E, listener: (...args: CallLegEvents[E]) => void): this;
  once<E extends keyof CallLegEvents>(event: E, listener: (...args: CallLegEvents[E]) => void): this;
  off<E extends keyof CallLegEvents>(event: E, listener: (...args: CallLegEvents[E]) => void): this;
}

/** What runs a call once a leg is up: the walking-skeleton handler now, dialog sessions later. */
export type CallHandler = (leg: CallLeg) => void | Promise<void>;
