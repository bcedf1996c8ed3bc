/**
 * The record of one call: both sides of the transcript with timestamps, the session's events,
 * the outcome and slots, transfer and callback requests, and optionally a dual-channel
 * recording (caller left, bot right). Times are ms since the call started. The record holds
 * personal data (it is the call's data, not a log); sinks store it, logs never carry it.
 */
import type { Clock } from '../clock.ts';
import { DualChannelRecorder } from './dual-channel.ts';

export interface TranscriptEntry {
  atMs: number;
  side: 'caller' | 'bot';
  text: string;
  /** Bot side: the prompt; caller side: how it came in. */
  promptId?: string;
  interrupted?: boolean;
  source?: 'speech' | 'dtmf';
  confidence?: number;
  /** Caller words the turn policy did not hand to the dialog (backchannel, disclosure). */
  ignored?: string;
}

export interface CallEventEntry {
  atMs: number;
  type: string;
  [key: string]: unknown;
}

export interface CallRecord {
  callId: string;
  direction: 'inbound' | 'outbound';
  transport: string;
  /** The platform's own call id (Twilio CallSid, SIP Call-ID). */
  providerCallId?: string;
  from?: string;
  to?: string;
  dialog: string;
  startedAt: string;
  durationMs: number;
  endReason?: string;
  transcript: TranscriptEntry[];
  events: CallEventEntry[];
  outcome?: { status: string; slots: Record<string, unknown> };
  transfer?: { ok: boolean; target?: string; agentId?: string; reason?: string; detail?: string };
  callback?: { requested: true; reason: string; number?: string };
}

export interface CallRecordSink {
  /** Stores a finished call; `recording` is a WAV file's bytes when recording was on. */
  write(record: CallRecord, recording?: Uint8Array): Promise<void>;
}

export class CallRecorder {
  readonly record: CallRecord;
  readonly audio: DualChannelRecorder | null;
  private readonly t0: number;

  constructor(
    base: Omit<CallRecord, 'startedAt' | 'durationMs' | 'transcript' | 'events'>,
    private readonly clock: Clock,
    options: { sampleRate: number; recordAudio: boolean },
  ) {
    this.t0 = clock.now();
    this.record = { ...base, startedAt: new Date().toISOString(), durationMs: 0, transcript: [], events: [] };
    this.audio = options.recordAudio ? new DualChannelRecorder(options.sampleRate) : null;
  }

  /** ms since the call started. */
  now(): number {
    return Math.round(this.clock.now() - this.t0);
  }

  say(entry: Omit<TranscriptEntry, 'atMs' | 'side'>): TranscriptEntry {
    const e: TranscriptEntry = { atMs: this.now(), side: 'bot', ...entry };
    this.record.transcript.push(e);
    return e;
  }

  heard(entry: Omit<TranscriptEntry, 'atMs' | 'side'>): void {
    this.record.transcript.push({ atMs: this.now(), side: 'caller', ...entry });
  }

  event(type: string, fields: Record<string, unknown> = {}): void {
    this.record.events.push({ atMs: this.now(), type, ...fields });
  }

  finish(endReason: string): CallRecord {
    this.record.durationMs = this.now();
    this.record.endReason ??= endReason;
    return this.record;
  }
}
