/**
 * The shared life cycle of WebSocket recognizers (Vosk, FunASR): connect with a timeout while
 * audio is buffered, then stream; typed asr.error events for a refused or lost connection, a
 * silent server after end-of-audio, or a message the adapter cannot parse; `push` after
 * end/close throws ASR_STREAM_CLOSED; `close` drops everything at once. Subclasses only speak
 * their protocol: the opening message, audio, flush/end messages and replies.
 */
import WebSocket, { type ClientOptions } from 'ws';
import type { AudioFrame } from '../../engine/audio/frame.ts';
import { ERROR_CODES, type ErrorCode, VoicebotError } from '../../engine/errors.ts';
import type { Metrics } from '../../engine/metrics/metrics.ts';
import type { AsrEvent, RecognizeStream } from '../asr.ts';
import { EventQueue } from '../event-queue.ts';

export interface WsStreamSettings {
  url: string;
  adapter: string;
  connectTimeoutMs: number;
  /** After end-of-audio, how long the server may take to answer and close. */
  finalTimeoutMs: number;
  wsOptions?: ClientOptions;
  metrics?: Metrics;
}

export abstract class WsRecognizeStream implements RecognizeStream {
  protected readonly queue = new EventQueue<AsrEvent>();
  protected ws: WebSocket | undefined;
  private pending: AudioFrame[] = [];
  private open = false;
  private state: 'open' | 'ended' | 'closed' = 'open';
  private finalTimer: NodeJS.Timeout | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private readonly startedAt = performance.now();
  private firstSeen = false;
  private counted = false;
  private flushWanted = false;

  constructor(protected readonly settings: WsStreamSettings) {}

  [Symbol.asyncIterator](): AsyncIterator<AsrEvent> {
    return this.queue[Symbol.asyncIterator]();
  }

  /** Refuses a stream before connecting (bad options): one asr.error, then the end. */
  protected refuse(code: ErrorCode, message: string): void {
    this.emitError(code, message);
  }

  push(frame: AudioFrame): void {
    if (this.state !== 'open')
      throw new VoicebotError(
        'ASR_STREAM_CLOSED',
        `${this.settings.adapter}: push after ${this.state === 'closed' ? 'close' : 'end'}`,
      );
    if (this.queue.ended) return;
    if (!this.ws) this.connect(frame);
    if (this.open) this.sendAudio(frame);
    else this.pending.push(frame);
  }

  flush(): void {
    if (this.state !== 'open' || this.queue.ended || !this.ws) return;
    if (this.open) this.sendFlush();
    else this.flushWanted = true;
  }

  end(): void {
    if (this.state !== 'open') return;
    this.state = 'ended';
    if (this.queue.ended) return;
    if (!this.ws) {
      this.finish();
      return;
    }
    if (this.open) this.beginEnd();
  }

  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.cleanup();
    this.ws?.terminate();
    this.queue.abort();
    this.count('cancelled');
  }

  /** The first message(s) of the protocol, sent once connected. */
  protected abstract sendOpening(ws: WebSocket, first: AudioFrame): void;
  protected abstract sendAudio(frame: AudioFrame): void;
  protected abstract sendFlush(): void;
  protected abstract sendEnd(): void;
  /** One text message from the server; throw to report a protocol error. */
  protected abstract onText(text: string): void;

  protected emit(ev: AsrEvent): void {
    if (this.state === 'closed') return;
    if (!this.firstSeen && (ev.type === 'asr.interim' || ev.type === 'asr.final')) {
      this.firstSeen = true;
      this.settings.metrics?.speechLatency.observe(
        { adapter: this.settings.adapter, kind: 'asr' },
        (performance.now() - this.startedAt) / 1000,
      );
    }
    this.queue.push(ev);
  }

  /** Normal end: the protocol's last answer arrived. */
  protected finish(): void {
    this.cleanup();
    this.queue.end();
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
    this.count('ok');
  }

  protected get ending(): boolean {
    return this.state === 'ended';
  }

  private beginEnd(): void {
    this.sendEnd();
    this.finalTimer = setTimeout(
      () =>
        this.onEndTimeout(
          `${this.settings.adapter}: no final result ${this.settings.finalTimeoutMs} ms after the end of audio`,
        ),
      this.settings.finalTimeoutMs,
    );
  }

  /** The server said nothing for finalTimeoutMs after the end of audio: an error by default. */
  protected onEndTimeout(message: string): void {
    this.emitError('ASR_TIMEOUT', message);
  }

  /** Restarts the end-of-audio timer (a protocol whose server keeps talking while it finishes). */
  protected rearmEndTimer(ms: number): void {
    if (this.state !== 'ended') return;
    clearTimeout(this.finalTimer);
    this.finalTimer = setTimeout(
      () => this.onEndTimeout(`${this.settings.adapter}: quiet for ${ms} ms after the end of audio`),
      ms,
    );
  }

  private connect(first: AudioFrame): void {
    const { url, connectTimeoutMs } = this.settings;
    const ws = new WebSocket(url, { handshakeTimeout: connectTimeoutMs, ...this.settings.wsOptions });
    this.ws = ws;
    this.connectTimer = setTimeout(() => {
      this.emitError(
        'ASR_UNAVAILABLE',
        `${this.settings.adapter}: not connected to ${url} after ${connectTimeoutMs} ms`,
      );
    }, connectTimeoutMs);
    ws.on('open', () => {
      clearTimeout(this.connectTimer);
      if (this.queue.ended) return;
      this.open = true;
      try {
        this.sendOpening(ws, first);
        for (const f of this.pending) this.sendAudio(f);
        this.pending = [];
        if (this.flushWanted) this.sendFlush();
        if (this.state === 'ended') this.beginEnd();
      } catch (err) {
        this.emitError('ASR_FAILED', `${this.settings.adapter}: ${(err as Error).message}`);
      }
    });
    ws.on('message', (data, isBinary) => {
      if (this.queue.ended) return;
      if (isBinary) {
        this.emitError(
          'SPEECH_PROTOCOL',
          `${this.settings.adapter}: unexpected binary message from the server`,
        );
        return;
      }
      try {
        this.onText(data.toString());
      } catch (err) {
        const e = err instanceof VoicebotError ? err : undefined;
        this.emitError(e?.code ?? 'SPEECH_PROTOCOL', `${this.settings.adapter}: ${(err as Error).message}`);
      }
    });
    ws.on('error', (err) => {
      if (this.queue.ended) return;
      const refused = /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH/.test(
        String((err as NodeJS.ErrnoException).code ?? err.message),
      );
      this.emitError(
        'ASR_UNAVAILABLE',
        `${this.settings.adapter}: ${refused ? 'cannot connect to' : 'connection to'} ${url} failed: ${err.message}`,
      );
    });
    ws.on('unexpected-response', (_req, res) => {
      this.emitError(
        'ASR_UNAVAILABLE',
        `${this.settings.adapter}: ${url} answered HTTP ${res.statusCode} instead of a WebSocket upgrade`,
      );
    });
    ws.on('close', (code, reason) => {
      if (this.queue.ended) return;
      if (this.state === 'ended' && this.open) {
        this.finish();
        return;
      }
      this.emitError(
        'ASR_UNAVAILABLE',
        `${this.settings.adapter}: the server closed the connection mid-stream (${code}${reason.length ? ` ${reason}` : ''})`,
      );
    });
  }

  protected emitError(code: ErrorCode, message: string): void {
    if (this.queue.ended) return;
    this.cleanup();
    this.settings.metrics?.speechErrors.inc({ adapter: this.settings.adapter, kind: 'asr', code });
    this.queue.push({ type: 'asr.error', code, message, retryable: ERROR_CODES[code].retryable });
    this.queue.end();
    this.ws?.terminate();
    this.count('error');
  }

  private cleanup(): void {
    clearTimeout(this.finalTimer);
    clearTimeout(this.connectTimer);
    this.pending = [];
  }

  private count(outcome: 'ok' | 'error' | 'cancelled'): void {
    if (this.counted) return;
    this.counted = true;
    this.settings.metrics?.speechRequests.inc({ adapter: this.settings.adapter, kind: 'asr', outcome });
  }
}
