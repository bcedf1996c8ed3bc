/**
 * An AsrAdapter that runs a primary adapter (typically a network recognizer) and switches to a
 * fallback (typically the embedded engine) when the primary fails — also in the middle of a
 * stream. The switch is announced as one `asr.error` event (code, retryable: true) that the
 * dialog can act on (re-prompt, offer the keypad, transfer); the stream itself goes on, so a
 * speech-server crash never ends a call. Audio since the last final is replayed to the fallback,
 * so the utterance being spoken when the primary died is still recognized.
 *
 * Non-retryable errors (a refused request such as an unsupported language) are passed through
 * and end the stream: the fallback would refuse them too. An optional circuit breaker skips a
 * primary that keeps failing; failures before the primary sent anything may be retried first.
 */
import type { AudioFrame } from '../../engine/audio/frame.ts';
import { VoicebotError } from '../../engine/errors.ts';
import type { Logger } from '../../engine/log/logger.ts';
import type { Metrics } from '../../engine/metrics/metrics.ts';
import type { AsrAdapter, AsrCapabilities, AsrEvent, RecognizeOptions, RecognizeStream } from '../asr.ts';
import { EventQueue } from '../event-queue.ts';
import type { CircuitBreaker } from './circuit-breaker.ts';
import { backoffDelayMs } from './retry.ts';

export interface FallbackAsrOptions {
  primary: AsrAdapter;
  fallback: AsrAdapter;
  /** Guards the primary: while open, streams start on the fallback directly. */
  breaker?: CircuitBreaker;
  /** Audio kept since the last final, replayed to the fallback on a switch. */
  replayMs?: number;
  /** Retries of the primary when it fails before sending any event (connect failures). */
  retries?: number;
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  metrics?: Metrics;
  log?: Logger;
  name?: string;
}

export class FallbackAsr implements AsrAdapter {
  readonly name: string;
  readonly capabilities: AsrCapabilities;

  constructor(readonly options: FallbackAsrOptions) {
    const { primary, fallback } = options;
    this.name = options.name ?? `${primary.name}+${fallback.name}`;
    const p = primary.capabilities;
    this.capabilities = {
      ...p,
      // Only what both can honour is promised: the call may end up on either.
      languages: p.languages.filter((l) => fallback.capabilities.languages.includes(l)),
      sampleRates: p.sampleRates.filter((r) => fallback.capabilities.sampleRates.includes(r)),
      grammar: p.grammar && fallback.capabilities.grammar,
      hints: p.hints && fallback.capabilities.hints,
      interimResults: p.interimResults && fallback.capabilities.interimResults,
    };
  }

  stream(options: RecognizeOptions): RecognizeStream {
    return new FallbackStream(this.options, this.name, options);
  }

  async close(): Promise<void> {
    await Promise.all([this.options.primary.close?.(), this.options.fallback.close?.()]);
  }
}

type Final = Extract<AsrEvent, { type: 'asr.final' }>;

class FallbackStream implements RecognizeStream {
  private readonly queue = new EventQueue<AsrEvent>();
  private active: RecognizeStream;
  private onPrimary: boolean;
  private generation = 0;
  /** Frames since the last final, with their end on this stream's timeline (ms of audio pushed). */
  private replay: { frame: AudioFrame; endMs: number }[] = [];
  private timelineMs = 0;
  private ended = false;
  private closed = false;
  private attempts = 0;
  private primarySpoke = false;
  private switched = false;

  constructor(
    private readonly o: FallbackAsrOptions,
    private readonly name: string,
    private readonly options: RecognizeOptions,
  ) {
    this.onPrimary = o.breaker ? o.breaker.tryAcquire() : true;
    if (!this.onPrimary)
      this.o.metrics?.speechFallbacks.inc({ from: o.primary.name, to: o.fallback.name, kind: 'asr' });
    this.active = this.start();
  }

  [Symbol.asyncIterator](): AsyncIterator<AsrEvent> {
    return this.queue[Symbol.asyncIterator]();
  }

  push(frame: AudioFrame): void {
    if (this.closed || this.ended)
      throw new VoicebotError(
        'ASR_STREAM_CLOSED',
        `${this.name}: push after ${this.closed ? 'close' : 'end'}`,
      );
    this.keep(frame);
    try {
      this.active.push(frame);
    } catch {
      // The active stream already failed; its error event drives the switch and the replay.
    }
  }

  flush(): void {
    if (this.closed) return;
    this.active.flush();
  }

  end(): void {
    if (this.closed || this.ended) return;
    this.ended = true;
    this.active.end();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.generation++;
    this.active.close();
    this.queue.abort();
  }

  private keep(frame: AudioFrame): void {
    this.timelineMs += (frame.samples.length * 1000) / frame.sampleRate;
    this.replay.push({ frame, endMs: this.timelineMs });
    const limit = this.o.replayMs ?? 5000;
    while (this.replay.length > 1 && this.timelineMs - (this.replay[0]?.endMs ?? 0) > limit)
      this.replay.shift();
  }

  private start(): RecognizeStream {
    const adapter = this.onPrimary ? this.o.primary : this.o.fallback;
    const stream = adapter.stream(this.options);
    const gen = ++this.generation;
    void this.pump(stream, gen);
    return stream;
  }

  private async pump(stream: RecognizeStream, gen: number): Promise<void> {
    const onPrimary = this.onPrimary;
    let failure: { code: string; message: string; retryable: boolean } | undefined;
    try {
      for await (const ev of stream) {
        if (gen !== this.generation) return;
        if (ev.type === 'asr.error') {
          failure = ev;
          break;
        }
        if (onPrimary) this.primarySpoke = true;
        if (ev.type === 'asr.final') this.onFinal(ev, onPrimary && !this.switched);
        this.queue.push(ev);
      }
    } catch (err) {
      const e = err instanceof VoicebotError ? err : undefined;
      failure = {
        code: e?.code ?? 'ASR_FAILED',
        message: err instanceof Error ? err.message : String(err),
        retryable: e?.retryable ?? true,
      };
    }
    if (gen !== this.generation || this.closed) return;
    if (!failure) {
      if (onPrimary) this.o.breaker?.onSuccess();
      this.queue.end();
      return;
    }
    if (!onPrimary || !failure.retryable) {
      this.queue.push({ type: 'asr.error', ...pick(failure) });
      this.queue.end();
      return;
    }
    stream.close();
    this.o.breaker?.onFailure();
    const retries = this.o.retries ?? 0;
    if (!this.primarySpoke && this.attempts < retries && (this.o.breaker?.tryAcquire() ?? true)) {
      const delay = backoffDelayMs(
        this.attempts++,
        this.o.retryBaseDelayMs ?? 100,
        this.o.retryMaxDelayMs ?? 1000,
        Math.random,
      );
      this.o.log?.warn(
        { code: failure.code, attempt: this.attempts, delayMs: delay },
        'speech primary failed; retrying',
      );
      this.generation++;
      await new Promise((r) => setTimeout(r, delay));
      if (this.closed) return;
      this.switchTo(true);
      return;
    }
    this.o.log?.warn(
      { code: failure.code, from: this.o.primary.name, to: this.o.fallback.name },
      'speech primary failed; switching',
    );
    this.o.metrics?.speechFallbacks.inc({ from: this.o.primary.name, to: this.o.fallback.name, kind: 'asr' });
    this.queue.push({
      type: 'asr.error',
      code: failure.code,
      message: `${failure.message}; continuing on ${this.o.fallback.name}`,
      retryable: true,
    });
    this.switchTo(false);
  }

  private switchTo(primary: boolean): void {
    this.switched = true;
    this.onPrimary = primary;
    this.active = this.start();
    for (const r of this.replay) this.active.push(r.frame);
    if (this.ended) this.active.end();
  }

  /** Audio up to a final is recognized: drop it from the replay buffer. */
  private onFinal(ev: Final, sameTimeline: boolean): void {
    if (!sameTimeline) {
      this.replay = [];
      return;
    }
    while (this.replay.length > 0 && (this.replay[0]?.endMs ?? 0) <= ev.endMs) this.replay.shift();
  }
}

function pick(f: { code: string; message: string; retryable: boolean }) {
  return { code: f.code, message: f.message, retryable: f.retryable };
}
