import { alawDecode, alawEncode, mulawDecode, mulawEncode } from '../../engine/audio/g711.ts';
import { VoicebotError } from '../../engine/errors.ts';
import type { CallInfo, HangupEvent, TransferRequest, TransferResult } from '../call-leg.ts';
import { BaseLeg, type BaseLegDeps } from '../leg/base-leg.ts';
import type { RtpPacket } from '../rtp/packet.ts';
import type { RtpSession } from '../rtp/rtp-session.ts';
import type { Law } from './sdp.ts';

/** What the leg needs from its SIP dialog. */
export interface SipDialogControl {
  /** The leg ended (any reason): send BYE unless the dialog is already over, and tear down. */
  closed(event: HangupEvent): void;
  refer(target: string): Promise<TransferResult>;
}

const FRAME_SAMPLES = 160;

/**
 * A SIP call as a CallLeg, on the transport-neutral BaseLeg: caller audio from RTP (G.711
 * decoded, re-framed to 20 ms), RFC 4733 digits, and bot audio paced by the shared Pacer, one
 * RTP packet per 20 ms tick while audio is queued (silence is not sent: the RTP timestamp jumps
 * and the marker bit starts the next talkspurt, RFC 3551 §4.1). On hold nothing is sent.
 */
export class SipCallLeg extends BaseLeg {
  private law: Law;
  private sending = true;
  private readonly pending = new Int16Array(FRAME_SAMPLES);
  private pendingLength = 0;

  constructor(
    info: CallInfo,
    private readonly rtp: RtpSession,
    law: Law,
    private readonly control: SipDialogControl,
    deps: BaseLegDeps,
  ) {
    super(info, deps);
    this.law = law;
    rtp.on('payload', (p) => this.onPayload(p));
    rtp.on('dtmf', (d) => this.receiveDtmf({ digit: d.digit, source: 'rfc4733', durationMs: d.durationMs }));
  }

  /** Re-INVITE outcome: codec change, or hold (queued audio still drains but is not sent). */
  updateMedia(law: Law, payloadType: number, sending: boolean): void {
    this.law = law;
    this.rtp.payloadType = payloadType;
    this.sending = sending;
  }

  override transfer(request: TransferRequest): Promise<TransferResult> {
    if (!this.active)
      return Promise.reject(new VoicebotError('CALL_NOT_ACTIVE', 'the call has already ended'));
    return this.control.refer(request.target);
  }

  protected writeFrame(samples: Int16Array): void {
    if (!this.sending) return;
    this.rtp.send(this.law === 'alaw' ? alawEncode(samples) : mulawEncode(samples), FRAME_SAMPLES);
  }

  protected writeClear(): void {
    // RTP has no far-end playout queue to flush: the next packet simply is not sent.
  }

  protected disconnect(event: HangupEvent): void {
    this.flushPending();
    this.control.closed(event);
  }

  private onPayload(p: RtpPacket): void {
    if (!this.active) return;
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
    this.receiveAudio(samples);
  }
}
