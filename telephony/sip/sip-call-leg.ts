import { EventEmitter } from 'node:events';
import type { AudioFrame } from '../../engine/audio/frame.ts';
import { alawDecode, alawEncode, mulawDecode, mulawEncode } from '../../engine/audio/g711.ts';
import { VoicebotError } from '../../engine/errors.ts';
import type {
  CallInfo,
  CallLeg,
  CallLegEvents,
  HangupEvent,
  TransferRequest,
  TransferResult,
} from '../call-leg.ts';
import { OutboundQueue } from '../media/outbound-queue.ts';
import type { PacedSink, Pacer } from '../media/pacer.ts';
import type { RtpPacket } from '../rtp/packet.ts';
import type { RtpSession } from '../rtp/rtp-session.ts';
import type { Law } from './sdp.ts';

/** What the leg needs from its SIP dialog. */
export interface SipDialogControl {
  /** Ends the dialog (BYE) and tears the call down. */
  bye(detail?: string): void;
  refer(target: string): Promise<TransferResult>;
}

const FRAME_SAMPLES = 160;

/**
 * A SIP call as a CallLeg: caller audio from RTP (G.711 decoded, re-framed to 20 ms), RFC 4733
 * digits, and bot audio paced by the shared Pacer (one RTP packet per 20 ms tick; silence when
 * nothing is queued, which keeps NAT bindings open and the peer's jitter buffer fed).
 */
export class SipCallLeg extends EventEmitter implements CallLeg, PacedSink {
  private readonly queue: OutboundQueue;
  private ended = false;
  private hadAudio = false;
  private law: Law;
  private sending = true;
  private readonly pending = new Int16Array(FRAME_SAMPLES);
  private pendingLength = 0;
  private mediaMs = 0;
  private silence: Uint8Array;

  constructor(
    readonly info: CallInfo,
    private readonly rtp: RtpSession,
    law: Law,
    private readonly pacer: Pacer,
    private readonly control: SipDialogControl,
    maxQueuedMs = 120_000,
  ) {
    super();
    this.law = law;
    this.queue = new OutboundQueue(8000, 20, maxQueuedMs);
    this.silence = this.encode(new Int16Array(FRAME_SAMPLES));
    rtp.on('payload', (p) => this.onPayload(p));
    rtp.on('dtmf', (d) => this.emit('dtmf', { digit: d.digit, source: 'rfc4733', durationMs: d.durationMs }));
    pacer.add(this);
  }

  get active(): boolean {
    return !this.ended;
  }

  /** Re-INVITE outcome: codec change or hold (we keep the queue moving but send nothing). */
  updateMedia(law: Law, payloadType: number, sending: boolean): void {
    this.law = law;
    this.rtp.payloadType = payloadType;
    this.sending = sending;
    this.silence = this.encode(new Int16Array(FRAME_SAMPLES));
  }

  sendAudio(frame: AudioFrame): void {
    if (this.ended) return;
    if (frame.sampleRate !== 8000)
      throw new VoicebotError('AUDIO_BAD_RATE', `SIP legs take 8000 Hz audio, got ${frame.sampleRate}`);
    if (!this.queue.push(frame.samples))
      this.emit('warning', { code: 'AUDIO_BAD_FORMAT', message: 'outbound queue full: audio dropped' });
    else this.hadAudio = true;
  }

  mark(name: string): void {
    if (this.ended) return;
    this.queue.mark(name);
  }

  clear(): void {
    for (const name of this.queue.clear()) this.emit('mark', { name, played: false });
  }

  queuedMs(): number {
    return this.queue.queuedMs();
  }

  transfer(request: TransferRequest): Promise<TransferResult> {
    if (this.ended) return Promise.reject(new VoicebotError('CALL_NOT_ACTIVE', 'the call has already ended'));
    return this.control.refer(request.target);
  }

  hangup(detail?: string): void {
    if (this.ended) return;
    this.control.bye(detail);
    this.end({ reason: 'bot', detail });
  }

  /** Called by the dialog when the call is over for any reason (BYE, timeout, transfer). */
  end(event: HangupEvent): void {
    if (this.ended) return;
    this.ended = true;
    this.pacer.remove(this);
    this.rtp.close();
    this.flushPending();
    for (const name of this.queue.clear()) this.emit('mark', { name, played: false });
    this.emit('hangup', event);
  }

  onTick(): void {
    if (this.ended) return;
    const tick = this.queue.next();
    for (const name of tick.marks) this.emit('mark', { name, played: true });
    if (tick.frame) {
      if (this.sending) this.rtp.send(this.encode(tick.frame), FRAME_SAMPLES);
    } else {
      if (this.sending) this.rtp.send(this.silence, FRAME_SAMPLES);
      if (this.hadAudio) {
        this.hadAudio = false;
        this.emit('drained');
      }
    }
  }

  private encode(samples: Int16Array): Uint8Array {
    return this.law === 'alaw' ? alawEncode(samples) : mulawEncode(samples);
  }

  private onPayload(p: RtpPacket): void {
    if (this.ended) return;
    const samples = p.payloadType === 8 ? alawDecode(p.payload) : mulawDecode(p.payload);
    let offset = 0;
    while (offset < samples.length) {
      const take = Math.min(FRAME_SAMPLES - this.pendingLength, samples.length - offset);
      this.pending.set(samples.subarray(offset, offset + take), this.pendingLength);
      this.pendingLength += take;
      offset += take;
      if (this.pendingLength === FRAME_SAMPLES) this.flushPending();
    }
  }

  private flushPending(): void {
    if (this.pendingLength === 0) return;
    const samples = this.pending.slice(0, this.pendingLength);
    this.pendingLength = 0;
    const frame: AudioFrame = { samples, sampleRate: 8000, timestampMs: this.mediaMs };
    this.mediaMs += samples.length / 8;
    this.emit('audio', frame);
  }

  override on<E extends keyof CallLegEvents>(event: E, listener: (...args: CallLegEvents[E]) => void): this {
    return super.on(event, listener as (...args: unknown[]) => void);
  }
  override once<E extends keyof CallLegEvents>(
    event: E,
    listener: (...args: CallLegEvents[E]) => void,
  ): this {
    return super.once(event, listener as (...args: unknown[]) => void);
  }
  override off<E extends keyof CallLegEvents>(event: E, listener: (...args: CallLegEvents[E]) => void): this {
    return super.off(event, listener as (...args: unknown[]) => void);
  }
}
