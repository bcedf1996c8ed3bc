import type { WebSocket } from 'ws';
import { int16ToBytes } from '../../engine/audio/pcm.ts';
import { VoicebotError } from '../../engine/errors.ts';
import type { CallInfo, HangupEvent, TransferRequest, TransferResult } from '../call-leg.ts';
import { decodeRawAudio, parseRawControl, parseRawMetadata, rawOut } from '../codecs/raw.ts';
import { BaseLeg, type BaseLegDeps } from '../leg/base-leg.ts';
import { CLOSE } from './close-codes.ts';
import { closeCodeFor } from './twilio-call.ts';
import { WsConnection, type WsConnectionDeps } from './ws-connection.ts';

interface PendingTransfer {
  resolve: (result: TransferResult) => void;
  reject: (err: unknown) => void;
  timer: NodeJS.Timeout;
}

/**
 * A raw L16 call (jambonz listen / mod_audio_fork style). Outbound frames are binary L16; a
 * mark is sent as `{"type":"mark"}` when the paced queue reaches it and counts as played then.
 */
export class RawLeg extends BaseLeg {
  private pendingTransfer: PendingTransfer | null = null;

  constructor(
    info: CallInfo,
    deps: BaseLegDeps,
    private readonly ws: WebSocket,
    private readonly transferTimeoutMs: number,
  ) {
    super(info, deps);
  }

  private sendText(text: string): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(text);
  }

  protected writeFrame(samples: Int16Array): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(int16ToBytes(samples));
  }

  protected override markReached(name: string): void {
    this.sendText(rawOut.mark(name));
    super.markReached(name);
  }

  protected writeClear(): void {
    this.sendText(rawOut.killAudio());
  }

  protected disconnect(event: HangupEvent): void {
    if (this.pendingTransfer) {
      const { reject, timer } = this.pendingTransfer;
      this.pendingTransfer = null;
      clearTimeout(timer);
      reject(new VoicebotError('CALL_NOT_ACTIVE', `call ended (${event.reason}) during transfer`));
    }
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (event.reason !== 'caller' && event.reason !== 'transfer')
      this.sendText(rawOut.disconnect(event.reason));
    this.ws.close(closeCodeFor(event), event.reason);
  }

  override transfer(request: TransferRequest): Promise<TransferResult> {
    if (!this.active) {
      return Promise.reject(new VoicebotError('CALL_NOT_ACTIVE', 'cannot transfer: the call has ended'));
    }
    if (this.pendingTransfer) {
      return Promise.reject(new VoicebotError('TRANSFER_FAILED', 'a transfer is already in progress'));
    }
    return new Promise<TransferResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingTransfer = null;
        this.log.warn(
          { code: 'TRANSFER_FAILED', timeoutMs: this.transferTimeoutMs },
          'transfer not confirmed',
        );
        reject(
          new VoicebotError('TRANSFER_FAILED', `no "transferred" answer within ${this.transferTimeoutMs} ms`),
        );
      }, this.transferTimeoutMs);
      this.pendingTransfer = { resolve, reject, timer };
      this.log.info({ pii: { target: request.target } }, 'transfer requested');
      this.sendText(rawOut.transfer(request));
    });
  }

  /** The platform answered our transfer request. */
  transferred(ok: boolean, detail?: string): void {
    const pending = this.pendingTransfer;
    if (!pending) {
      this.log.debug('transferred message without a pending transfer ignored');
      return;
    }
    this.pendingTransfer = null;
    clearTimeout(pending.timer);
    if (!ok) {
      pending.reject(
        new VoicebotError('TRANSFER_FAILED', `platform refused the transfer${detail ? `: ${detail}` : ''}`),
      );
      return;
    }
    pending.resolve(detail === undefined ? { ok: true } : { ok: true, detail });
    this.end('transfer', detail);
  }
}

/** The /raw socket: the first text frame is metadata, then binary audio and JSON control. */
export class RawConnection extends WsConnection {
  constructor(deps: WsConnectionDeps) {
    super('raw', deps);
  }

  protected onBinary(data: Buffer): void {
    const leg = this.leg;
    if (!leg)
      throw new VoicebotError('WS_MEDIA_BEFORE_START', 'binary audio before the metadata frame ignored');
    leg.receiveAudio(decodeRawAudio(data));
  }

  protected onText(text: string): void {
    const leg = this.leg as RawLeg | null;
    if (!leg) {
      const meta = parseRawMetadata(text);
      const info: CallInfo = {
        callId: this.callId,
        transport: 'raw',
        direction: meta.direction,
        ...(meta.from === undefined ? {} : { from: meta.from }),
        ...(meta.to === undefined ? {} : { to: meta.to }),
        ...(meta.callSid === undefined ? {} : { providerCallId: meta.callSid }),
        parameters: meta.parameters,
        sampleRate: meta.sampleRate,
      };
      const deps: BaseLegDeps = {
        pacer: this.deps.pacer,
        log: this.log,
        metrics: this.deps.metrics,
        clock: this.deps.clock,
        maxQueuedMs: this.deps.settings.maxOutboundQueueMs,
      };
      this.started(new RawLeg(info, deps, this.ws, this.deps.settings.transferTimeoutMs));
      return;
    }
    const msg = parseRawControl(text);
    switch (msg.event) {
      case 'dtmf':
        leg.receiveDtmf(
          msg.durationMs === undefined
            ? { digit: msg.digit, source: 'signal' }
            : { digit: msg.digit, source: 'signal', durationMs: msg.durationMs },
        );
        return;
      case 'hangup':
        leg.end('caller', 'hangup message');
        this.close(CLOSE.NORMAL, 'hangup');
        return;
      case 'transferred':
        leg.transferred(msg.ok, msg.detail);
        return;
    }
  }
}
