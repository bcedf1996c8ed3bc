import { EventEmitter } from 'node:events';
import type { AudioFrame } from '../../engine/audio/frame.ts';
import { type Clock, systemClock } from '../../engine/clock.ts';
import { type ErrorCode, VoicebotError } from '../../engine/errors.ts';
import type { Logger } from '../../engine/log/logger.ts';
import type { Metrics } from '../../engine/metrics/metrics.ts';
import type {
  CallInfo,
  CallLeg,
  CallLegEvents,
  DtmfEvent,
  HangupEvent,
  HangupReason,
  TransferRequest,
  TransferResult,
} from '../call-leg.ts';
import { OutboundQueue } from '../media/outbound-queue.ts';
import type { PacedSink, Pacer } from '../media/pacer.ts';
import { type FrameTally, frameTally } from './frame-tally.ts';

const FRAME_MS = 20;

export interface BaseLegDeps {
  pacer: Pacer;
  /** The call's child logger ({callId, transport}). */
  log: Logger;
  metrics?: Metrics;
  clock?: Clock;
  maxQueuedMs?: number;
}

/**
 * Transport-neutral half of a CallLeg: the outbound queue, pacing (the leg is a PacedSink on the
 * shared pacer only while it has something queued, so idle calls cost nothing), mark and hang-up
 * bookkeeping, call metrics and safe event delivery. A transport supplies how a frame, a mark, a
 * clear and a disconnect go on the wire, and feeds received media through `receive*`.
 *
 * Pacing: when the leg's outbound stream is idle (no frame written for a frame period), the first
 * whole frame of new audio is written at once, inside `sendAudio()`, and the rest follow on a
 * 20 ms grid anchored at that write; audio queued less than a frame period after the last frame
 * keeps that frame's grid. So no frame is written sooner than real time allows after the one
 * before it, and an answer does not wait for the next slot of a shared grid.
 */
export abstract class BaseLeg extends EventEmitter implements CallLeg, PacedSink {
  readonly info: CallInfo;
  protected readonly log: Logger;
  protected readonly metrics?: Metrics;
  private readonly pacer: Pacer;
  private readonly clock: Clock;
  private readonly queue: OutboundQueue;
  private readonly startedAt: number;
  private paced = false;
  /** The grid time of the last frame written (the pacer's slot, or the moment of a write at once). */
  private lastFrameAt: number | null = null;
  private ended = false;
  private receivedSamples = 0;
  private queueFullWarned = false;
  /** Frame counts for this transport, added to the Prometheus counters when they are read. */
  private readonly frames?: FrameTally;

  constructor(info: CallInfo, deps: BaseLegDeps) {
    super();
    this.info = info;
    this.log = deps.log;
    this.metrics = deps.metrics;
    this.pacer = deps.pacer;
    this.clock = deps.clock ?? systemClock;
    this.queue = new OutboundQueue(info.sampleRate, FRAME_MS, deps.maxQueuedMs);
    this.startedAt = this.clock.now();
    this.metrics?.callsActive.inc({ transport: info.transport });
    this.metrics?.callsTotal.inc({ transport: info.transport });
    if (this.metrics) this.frames = frameTally(this.metrics, info.transport);
  }

  get active(): boolean {
    return !this.ended;
  }

  // ---- what a transport implements -------------------------------------------------------

  /** Send one 20 ms frame of bot audio. */
  protected abstract writeFrame(samples: Int16Array): void;
  /** Tell the peer to drop the audio it has buffered (barge-in). */
  protected abstract writeClear(): void;
  /** Close the transport for this reason (idempotent; the socket may already be gone). */
  protected abstract disconnect(event: HangupEvent): void;

  /**
   * The queue handed out everything before this mark. Default: it has been played (the frames
   * are paced in real time). Transports whose peer acknowledges playout override this.
   */
  protected markReached(name: string): void {
    this.emitSafe('mark', { name, played: true });
  }

  /** Marks that are on the wire but not yet acknowledged; a clear() reports them not played. */
  protected takeOutstandingMarks(): string[] {
    return [];
  }

  // ---- CallLeg ---------------------------------------------------------------------------

  sendAudio(frame: AudioFrame): void {
    if (this.ended) return;
    if (frame.sampleRate !== this.info.sampleRate) {
      throw new VoicebotError(
        'AUDIO_BAD_RATE',
        `audio at ${frame.sampleRate} Hz sent to a ${this.info.sampleRate} Hz call: resample first`,
        { callId: this.info.callId },
      );
    }
    if (!this.queue.push(frame.samples)) {
      this.metrics?.protocolErrors.inc({ transport: this.info.transport, code: 'MEDIA_QUEUE_FULL' });
      if (!this.queueFullWarned) {
        this.queueFullWarned = true;
        this.log.warn(
          { code: 'MEDIA_QUEUE_FULL', queuedMs: this.queue.queuedMs() },
          'outbound audio dropped',
        );
      }
      this.emitSafe('warning', { code: 'MEDIA_QUEUE_FULL', message: 'outbound queue full: audio dropped' });
      return;
    }
    this.schedule();
  }

  mark(name: string): void {
    if (this.ended) return;
    this.queue.mark(name);
    this.schedule();
  }

  clear(): void {
    if (this.ended) return;
    const dropped = [...this.takeOutstandingMarks(), ...this.queue.clear()];
    this.unschedule();
    this.queueFullWarned = false;
    try {
      this.writeClear();
    } catch (err) {
      this.log.warn({ err }, 'sending clear failed');
    }
    for (const name of dropped) this.emitSafe('mark', { name, played: false });
  }

  queuedMs(): number {
    return this.queue.queuedMs();
  }

  transfer(_request: TransferRequest): Promise<TransferResult> {
    return Promise.reject(
      new VoicebotError('TRANSFER_UNSUPPORTED', `transport ${this.info.transport} cannot transfer calls`, {
        callId: this.info.callId,
      }),
    );
  }

  hangup(detail?: string): void {
    this.end('bot', detail);
  }

  // ---- PacedSink -------------------------------------------------------------------------

  onTick(slotAt: number = this.clock.now()): void {
    if (this.ended) {
      this.unschedule();
      return;
    }
    const { frame, marks } = this.queue.next();
    for (const name of marks) this.markReached(name);
    if (this.ended) return; // a mark listener hung up
    if (frame) {
      this.lastFrameAt = slotAt;
      this.writeFrame(frame);
      if (this.frames) this.frames.out++;
    }
    if (this.queue.empty) {
      this.unschedule();
      this.emitSafe('drained');
    }
  }

  // ---- for the transport's receive side ------------------------------------------------------

  /** Caller audio at info.sampleRate; timestamps count the samples received so far. */
  receiveAudio(samples: Int16Array): void {
    if (this.ended) return;
    const timestampMs = (this.receivedSamples * 1000) / this.info.sampleRate;
    this.receivedSamples += samples.length;
    if (this.frames) this.frames.in++;
    this.emitSafe('audio', { samples, sampleRate: this.info.sampleRate, timestampMs });
  }

  receiveDtmf(event: DtmfEvent): void {
    if (this.ended) return;
    this.log.debug({ pii: { digit: event.digit }, source: event.source }, 'dtmf');
    this.emitSafe('dtmf', event);
  }

  /** A problem with the peer's input that did not end the call (already logged and counted). */
  warn(code: ErrorCode, message: string): void {
    this.emitSafe('warning', { code, message });
  }

  /**
   * Ends the call once: drops queued audio (pending marks fire played=false), closes the
   * transport, records metrics and emits `hangup`.
   */
  end(reason: HangupReason, detail?: string): void {
    if (this.ended) return;
    this.ended = true;
    const dropped = [...this.takeOutstandingMarks(), ...this.queue.clear()];
    this.unschedule();
    const event: HangupEvent = detail === undefined ? { reason } : { reason, detail };
    try {
      this.disconnect(event);
    } catch (err) {
      this.log.warn({ err }, 'disconnect failed');
    }
    const seconds = (this.clock.now() - this.startedAt) / 1000;
    this.metrics?.callsActive.dec({ transport: this.info.transport });
    this.metrics?.callDuration.observe({ transport: this.info.transport, reason }, seconds);
    this.log.info({ reason, detail, durationS: Math.round(seconds * 10) / 10 }, 'call ended');
    for (const name of dropped) this.emitSafe('mark', { name, played: false });
    this.emitSafe('hangup', event);
  }

  /** Delivers an event to each listener; one that throws is logged and the others still run. */
  protected emitSafe<E extends keyof CallLegEvents>(event: E, ...args: CallLegEvents[E]): void {
    for (const listener of this.rawListeners(event) as ((...a: unknown[]) => void)[]) {
      try {
        listener.apply(this, args);
      } catch (err) {
        this.log.error({ err, event, code: 'INTERNAL' }, 'call handler listener threw');
      }
    }
  }

  /**
   * Something was queued. An idle stream with a whole frame ready writes it now (the grid starts
   * here); a stream that wrote a frame less than a frame period ago goes on on that frame's grid;
   * an idle stream holding only part of a frame waits up to a frame period for the rest (then it
   * goes out padded), and writes at once if the rest comes sooner.
   */
  private schedule(): void {
    if (this.queue.empty) return;
    const now = this.clock.now();
    const idle = this.lastFrameAt === null || now - this.lastFrameAt >= FRAME_MS;
    if (idle && this.queue.frameReady) {
      this.pace(now);
      this.onTick(now);
    } else if (!this.paced) {
      this.pace(idle ? now : (this.lastFrameAt ?? now));
    }
  }

  /** Puts the leg on the pacer (again), its next tick one frame after `lastTickAt`. */
  private pace(lastTickAt: number): void {
    if (this.paced) this.pacer.remove(this);
    this.paced = true;
    this.pacer.add(this, lastTickAt);
  }

  private unschedule(): void {
    if (!this.paced) return;
    this.paced = false;
    this.pacer.remove(this);
  }

  // Typed overloads of EventEmitter's on/once/off for CallLeg's events.
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
