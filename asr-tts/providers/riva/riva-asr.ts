/**
 * Streaming ASR over NVIDIA Riva's gRPC API (nvidia.riva.asr.RivaSpeechRecognition/StreamingRecognize).
 * Works against a real Riva server and against `voicebot speech-server`.
 *
 * Wire flow per recognize stream: the first request carries only `streaming_config` (encoding,
 * rate, language, hints as speech_contexts, endpointing), then only `audio_content` chunks
 * (LINEAR_PCM, or MULAW at 8 kHz). Interim results map to `asr.interim`, finals to `asr.final`
 * with word timings. Riva flushes only on half-close, so `flush()` half-closes the current call
 * and the next audio opens a fresh one; word times stay on one timeline across calls.
 */
import * as grpc from '@grpc/grpc-js';
import type { AudioFrame, SampleRate } from '../../../engine/audio/frame.ts';
import { mulawEncode } from '../../../engine/audio/g711.ts';
import { int16ToBytes } from '../../../engine/audio/pcm.ts';
import { VoicebotError } from '../../../engine/errors.ts';
import type { Metrics } from '../../../engine/metrics/metrics.ts';
import type { AsrAdapter, AsrCapabilities, AsrEvent, RecognizeOptions, RecognizeStream } from '../../asr.ts';
import { EventQueue } from '../../event-queue.ts';
import {
  GRAMMAR_KEY,
  type RivaRecognitionConfig,
  type RivaStreamingRequest,
  type RivaStreamingResponse,
  rivaServices,
} from '../../grpc/riva-proto.ts';
import { channelOptions, errorFromGrpc } from '../../grpc/status-map.ts';

export interface RivaAsrOptions {
  /** host:port of the Riva (or voicebot speech-server) endpoint. */
  address: string;
  /** Default: insecure (plain HTTP/2). Pass grpc.credentials.createSsl() for TLS. */
  credentials?: grpc.ChannelCredentials;
  /** Extra call metadata, e.g. `authorization: Bearer …` for a hosted endpoint. */
  metadata?: Record<string, string>;
  /** Audio per StreamingRecognizeRequest (Riva suggests about 100 ms). Default 100. */
  chunkMs?: number;
  /** Send G.711 µ-law instead of PCM when the audio is 8 kHz (halves the bandwidth). */
  mulaw?: boolean;
  model?: string;
  /**
   * Send RecognizeOptions.grammar as custom_configuration["voicebot_grammar"] (JSON). voicebot
   * speech-server honours it (grammar-first embedded engines); a real Riva server ignores or
   * rejects unknown keys, so leave this off there.
   */
  sendGrammar?: boolean;
  /** Word boost for hints (speech_contexts.boost). */
  hintBoost?: number;
  /** Give up when the channel is not connected after this long (calls wait for it, up to this). */
  connectTimeoutMs?: number;
  /** Longest pause between reconnect attempts after the server went away (gRPC backoff cap). */
  reconnectBackoffMaxMs?: number;
  /** After end()/flush(), give up when the server has not closed the call after this long. */
  finalTimeoutMs?: number;
  metrics?: Metrics;
  name?: string;
}

const CAPABILITIES: AsrCapabilities = {
  streaming: true,
  interimResults: true,
  languages: ['en-US', 'zh-CN'],
  grammar: false,
  hints: true,
  sampleRates: [8000, 16000],
};

export class RivaAsr implements AsrAdapter {
  readonly name: string;
  readonly capabilities: AsrCapabilities;
  private readonly client: grpc.Client;

  constructor(private readonly options: RivaAsrOptions) {
    this.name = options.name ?? 'riva-asr';
    this.capabilities = { ...CAPABILITIES, grammar: options.sendGrammar === true };
    const { AsrClient } = rivaServices();
    this.client = new AsrClient(
      options.address,
      options.credentials ?? grpc.credentials.createInsecure(),
      channelOptions(options.reconnectBackoffMaxMs),
    );
  }

  stream(options: RecognizeOptions): RecognizeStream {
    return new RivaRecognizeStream(this.client, this.options, this.name, options);
  }

  async close(): Promise<void> {
    this.client.close();
  }
}

type Call = grpc.ClientDuplexStream<RivaStreamingRequest, RivaStreamingResponse>;

interface ActiveCall {
  call: Call;
  offsetMs: number;
  sentMs: number;
  cancelledByUs: boolean;
  finalTimer?: NodeJS.Timeout;
  /** Encoded audio not yet written (batched into chunkMs messages). */
  chunk: Buffer[];
  chunkMs: number;
}

class RivaRecognizeStream implements RecognizeStream {
  private readonly queue = new EventQueue<AsrEvent>();
  private current: ActiveCall | undefined;
  private readonly calls = new Set<ActiveCall>();
  private timelineMs = 0;
  private ending = false;
  private closed = false;
  private inSpeech = false;
  private readonly startedAt = performance.now();
  private firstResultSeen = false;
  private outcome: 'ok' | 'error' | 'cancelled' = 'ok';

  constructor(
    private readonly client: grpc.Client,
    private readonly adapter: RivaAsrOptions,
    private readonly name: string,
    private readonly options: RecognizeOptions,
  ) {}

  [Symbol.asyncIterator](): AsyncIterator<AsrEvent> {
    return this.queue[Symbol.asyncIterator]();
  }

  push(frame: AudioFrame): void {
    if (this.closed || this.ending)
      throw new VoicebotError(
        'ASR_STREAM_CLOSED',
        `${this.name}: push after ${this.closed ? 'close' : 'end'}`,
      );
    if (this.queue.ended) return; // failed: the asr.error event already told the consumer
    const active = this.current ?? this.open(frame.sampleRate);
    if (!active) return;
    const useMulaw = this.adapter.mulaw === true && frame.sampleRate === 8000;
    const audio = useMulaw
      ? Buffer.from(mulawEncode(frame.samples))
      : Buffer.from(int16ToBytes(frame.samples));
    const ms = (frame.samples.length * 1000) / frame.sampleRate;
    active.chunk.push(audio);
    active.chunkMs += ms;
    if (active.chunkMs >= (this.adapter.chunkMs ?? 100)) this.writeChunk(active);
    active.sentMs += ms;
    this.timelineMs += ms;
  }

  private writeChunk(active: ActiveCall): void {
    if (active.chunk.length === 0) return;
    active.call.write({ audio_content: Buffer.concat(active.chunk) });
    active.chunk = [];
    active.chunkMs = 0;
  }

  flush(): void {
    if (this.closed || !this.current) return;
    this.halfClose(this.current);
    this.current = undefined;
  }

  end(): void {
    if (this.closed || this.ending) return;
    this.ending = true;
    if (this.current) this.halfClose(this.current);
    this.current = undefined;
    this.maybeFinish();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.outcome = 'cancelled';
    for (const a of this.calls) this.cancel(a);
    this.queue.abort();
    this.count();
  }

  private open(sampleRate: SampleRate): ActiveCall | undefined {
    // waitForReady: a call made while the channel reconnects waits (up to connectTimeoutMs).
    const metadata = new grpc.Metadata({ waitForReady: true });
    for (const [k, v] of Object.entries(this.adapter.metadata ?? {})) metadata.set(k, v);
    const call = (
      this.client as unknown as { StreamingRecognize(m: grpc.Metadata, o: grpc.CallOptions): Call }
    ).StreamingRecognize(metadata, {});
    const active: ActiveCall = {
      call,
      offsetMs: this.timelineMs,
      sentMs: 0,
      cancelledByUs: false,
      chunk: [],
      chunkMs: 0,
    };
    this.calls.add(active);
    this.current = active;
    call.on('data', (res: RivaStreamingResponse) => this.onResponse(active, res));
    call.on('error', (err: grpc.ServiceError) => this.onError(active, err));
    call.on('status', (s: grpc.StatusObject) => {
      if (s.code === grpc.status.OK) this.onDone(active);
    });
    const connectMs = this.adapter.connectTimeoutMs ?? 3000;
    this.client.waitForReady(Date.now() + connectMs, (err) => {
      if (!err || !this.calls.has(active)) return;
      this.onError(
        active,
        Object.assign(new Error('connect timeout'), {
          code: grpc.status.UNAVAILABLE,
          details: `not connected after ${connectMs} ms`,
        }) as grpc.ServiceError,
      );
    });
    call.write({
      streaming_config: {
        config: this.config(sampleRate),
        interim_results: this.options.interimResults ?? true,
      },
    });
    return active;
  }

  private config(sampleRate: SampleRate): RivaRecognitionConfig {
    const o = this.options;
    const hints = [...(o.hints ?? [])];
    const sendGrammar = this.adapter.sendGrammar === true && o.grammar !== undefined;
    // Without grammar support on the server, a grammar's phrases are the best hints there are.
    if (!sendGrammar && o.grammar?.kind === 'phrases') hints.push(...o.grammar.phrases);
    if (!sendGrammar && o.grammar?.kind === 'yesno') hints.push('yes', 'no');
    return {
      encoding: this.adapter.mulaw && sampleRate === 8000 ? 'MULAW' : 'LINEAR_PCM',
      sample_rate_hertz: sampleRate,
      language_code: o.language,
      max_alternatives: 1,
      audio_channel_count: 1,
      enable_word_time_offsets: true,
      enable_automatic_punctuation: false,
      model: this.adapter.model ?? '',
      speech_contexts: hints.length > 0 ? [{ phrases: hints, boost: this.adapter.hintBoost ?? 10 }] : [],
      endpointing_config: o.endpointSilenceMs === undefined ? null : { stop_history: o.endpointSilenceMs },
      custom_configuration: sendGrammar ? { [GRAMMAR_KEY]: JSON.stringify(o.grammar) } : {},
    };
  }

  private halfClose(active: ActiveCall): void {
    this.writeChunk(active);
    active.call.end();
    const ms = this.adapter.finalTimeoutMs ?? 10_000;
    active.finalTimer = setTimeout(() => {
      this.onError(
        active,
        Object.assign(new Error('final timeout'), {
          code: grpc.status.DEADLINE_EXCEEDED,
          details: `no final result ${ms} ms after the end of audio`,
        }) as grpc.ServiceError,
      );
    }, ms);
  }

  private onResponse(active: ActiveCall, res: RivaStreamingResponse): void {
    if (this.closed) return;
    if (!this.firstResultSeen && res.results.length > 0) {
      this.firstResultSeen = true;
      this.adapter.metrics?.speechLatency.observe(
        { adapter: this.name, kind: 'asr' },
        (performance.now() - this.startedAt) / 1000,
      );
    }
    const interim: string[] = [];
    let stability: number | undefined;
    for (const r of res.results) {
      const alt = r.alternatives[0];
      if (!alt) continue;
      if (r.is_final) {
        const words = alt.words.map((w) => ({
          word: w.word,
          startMs: w.start_time + active.offsetMs,
          endMs: w.end_time + active.offsetMs,
          confidence: w.confidence,
        }));
        const endMs = words.at(-1)?.endMs ?? active.offsetMs + Math.round(r.audio_processed * 1000);
        const startMs = words[0]?.startMs ?? active.offsetMs;
        if (!this.inSpeech) this.queue.push({ type: 'asr.speech_start', atMs: startMs });
        this.queue.push({
          type: 'asr.final',
          text: alt.transcript.trim(),
          confidence: alt.confidence,
          startMs,
          endMs,
          ...(words.length > 0 ? { words } : {}),
        });
        this.queue.push({ type: 'asr.speech_end', atMs: endMs });
        this.inSpeech = false;
      } else if (alt.transcript) {
        interim.push(alt.transcript);
        stability ??= r.stability;
      }
    }
    if (interim.length > 0) {
      if (!this.inSpeech) {
        this.inSpeech = true;
        const at = res.results[0]?.alternatives[0]?.words[0]?.start_time;
        this.queue.push({ type: 'asr.speech_start', atMs: (at ?? 0) + active.offsetMs });
      }
      this.queue.push({
        type: 'asr.interim',
        text: interim.join('').trim(),
        ...(stability === undefined ? {} : { stability }),
      });
    }
  }

  private onError(active: ActiveCall, err: grpc.ServiceError): void {
    if (!this.calls.has(active)) return;
    this.calls.delete(active);
    clearTimeout(active.finalTimer);
    if (active.cancelledByUs || this.closed) return;
    this.cancel(active);
    const e = errorFromGrpc('asr', err, this.adapter.address);
    this.adapter.metrics?.speechErrors.inc({ adapter: this.name, kind: 'asr', code: e.code });
    this.outcome = 'error';
    for (const other of this.calls) this.cancel(other);
    this.calls.clear();
    this.current = undefined;
    this.queue.push({ type: 'asr.error', code: e.code, message: e.message, retryable: e.retryable });
    this.queue.end();
    this.count();
  }

  private onDone(active: ActiveCall): void {
    if (!this.calls.has(active)) return;
    clearTimeout(active.finalTimer);
    this.calls.delete(active);
    if (this.current === active) {
      // The server ended the call on its own: treat it as a transport failure of this stream.
      this.current = undefined;
      if (!this.ending) {
        const e = new VoicebotError(
          'ASR_FAILED',
          `recognizer at ${this.adapter.address} ended the stream early`,
        );
        this.queue.push({ type: 'asr.error', code: e.code, message: e.message, retryable: e.retryable });
        this.outcome = 'error';
        this.queue.end();
        this.count();
        return;
      }
    }
    this.maybeFinish();
  }

  private cancel(active: ActiveCall): void {
    active.cancelledByUs = true;
    clearTimeout(active.finalTimer);
    active.call.cancel();
  }

  private maybeFinish(): void {
    if (this.ending && this.calls.size === 0 && !this.queue.ended) {
      this.queue.end();
      this.count();
    }
  }

  private counted = false;
  private count(): void {
    if (this.counted) return;
    this.counted = true;
    this.adapter.metrics?.speechRequests.inc({ adapter: this.name, kind: 'asr', outcome: this.outcome });
  }
}
