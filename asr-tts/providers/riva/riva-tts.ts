/**
 * Streaming TTS over NVIDIA Riva's gRPC API (nvidia.riva.tts.RivaSpeechSynthesis/SynthesizeOnline).
 * Sends one request (LINEAR_PCM at the wanted rate) and half-closes, which is valid for both the
 * older server-streaming and the newer bidi definition; audio chunks become 20 ms frames. Speech
 * rate goes as SSML `<prosody rate>`, as Riva expects. Aborting the signal cancels the call.
 */
import * as grpc from '@grpc/grpc-js';
import { type AudioFrame, samplesPerFrame } from '../../../engine/audio/frame.ts';
import { VoicebotError } from '../../../engine/errors.ts';
import type { Metrics } from '../../../engine/metrics/metrics.ts';
import {
  type RivaSynthesizeRequest,
  type RivaSynthesizeResponse,
  rivaServices,
} from '../../grpc/riva-proto.ts';
import { channelOptions, errorFromGrpc } from '../../grpc/status-map.ts';
import type { SynthesizeOptions, TtsAdapter, TtsCapabilities } from '../../tts.ts';
import { MAX_RATE, MIN_RATE } from '../../tts-options.ts';

export interface RivaTtsOptions {
  address: string;
  credentials?: grpc.ChannelCredentials;
  metadata?: Record<string, string>;
  /** Voice per language when SynthesizeOptions.voice is not given (Riva needs one on most deployments). */
  voices?: Partial<Record<'en-US' | 'zh-CN', string>>;
  /** Give up when no audio arrived this long after the request or the previous chunk. */
  readTimeoutMs?: number;
  /** Give up when the channel is not connected after this long (calls wait for it, up to this). */
  connectTimeoutMs?: number;
  /** Longest pause between reconnect attempts after the server went away (gRPC backoff cap). */
  reconnectBackoffMaxMs?: number;
  metrics?: Metrics;
  name?: string;
}

const CAPABILITIES: TtsCapabilities = {
  streaming: true,
  languages: ['en-US', 'zh-CN'],
  voices: [],
  sampleRates: [8000, 16000],
};

/** Escapes text for SSML and wraps it in a prosody rate when the rate is not 1. */
export function toRivaText(text: string, rate = 1): string {
  if (rate === 1) return text;
  const esc = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<speak><prosody rate="${Math.round(rate * 100)}%">${esc}</prosody></speak>`;
}

export class RivaTts implements TtsAdapter {
  readonly name: string;
  readonly capabilities: TtsCapabilities;
  private readonly client: grpc.Client;

  constructor(private readonly options: RivaTtsOptions) {
    this.name = options.name ?? 'riva-tts';
    this.capabilities = { ...CAPABILITIES, voices: Object.values(options.voices ?? {}) };
    const { TtsClient } = rivaServices();
    this.client = new TtsClient(
      options.address,
      options.credentials ?? grpc.credentials.createInsecure(),
      channelOptions(options.reconnectBackoffMaxMs),
    );
  }

  async *synthesize(
    text: string,
    options: SynthesizeOptions,
    signal?: AbortSignal,
  ): AsyncIterable<AudioFrame> {
    const rate = options.rate ?? 1;
    if (!Number.isFinite(rate) || rate < MIN_RATE || rate > MAX_RATE)
      throw new VoicebotError(
        'TTS_BAD_REQUEST',
        `${this.name}: rate ${options.rate} is out of range (${MIN_RATE}..${MAX_RATE}, 1 is normal)`,
        {
          rate: options.rate,
        },
      );
    if (signal?.aborted) return;
    const o = this.options;
    const request: RivaSynthesizeRequest = {
      text: toRivaText(text, options.rate),
      language_code: options.language,
      encoding: 'LINEAR_PCM',
      sample_rate_hz: options.sampleRate,
      voice_name: options.voice ?? o.voices?.[options.language] ?? '',
    };
    // waitForReady: a call made while the channel reconnects waits (up to connectTimeoutMs).
    const metadata = new grpc.Metadata({ waitForReady: true });
    for (const [k, v] of Object.entries(o.metadata ?? {})) metadata.set(k, v);
    const call = (
      this.client as unknown as {
        SynthesizeOnline(
          r: RivaSynthesizeRequest,
          m: grpc.Metadata,
          o: grpc.CallOptions,
        ): grpc.ClientReadableStream<RivaSynthesizeResponse>;
      }
    ).SynthesizeOnline(request, metadata, {});

    const readMs = o.readTimeoutMs ?? 5000;
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        call.cancel();
      }, readMs);
    };
    const onAbort = () => call.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    const connectMs = o.connectTimeoutMs ?? 3000;
    let connectFailed = false;
    this.client.waitForReady(Date.now() + connectMs, (err) => {
      if (err) {
        connectFailed = true;
        call.cancel();
      }
    });

    const startedAt = performance.now();
    const frameLen = samplesPerFrame(options.sampleRate);
    const pending = new Int16Array(frameLen);
    let fill = 0;
    let carry: number | undefined; // a split sample's low byte
    let t = 0;
    let first = true;
    let outcome: 'ok' | 'error' | 'cancelled' = 'ok';
    arm();
    try {
      for await (const chunk of call as AsyncIterable<RivaSynthesizeResponse>) {
        arm();
        let bytes: Buffer = chunk.audio;
        if (carry !== undefined) {
          bytes = Buffer.concat([Buffer.from([carry]), bytes]);
          carry = undefined;
        }
        if (bytes.length % 2 === 1) {
          carry = bytes[bytes.length - 1];
          bytes = bytes.subarray(0, bytes.length - 1);
        }
        for (let i = 0; i < bytes.length; i += 2) {
          pending[fill++] = bytes.readInt16LE(i);
          if (fill === frameLen) {
            if (first) {
              first = false;
              o.metrics?.speechLatency.observe(
                { adapter: this.name, kind: 'tts' },
                (performance.now() - startedAt) / 1000,
              );
            }
            yield { samples: pending.slice(), sampleRate: options.sampleRate, timestampMs: t };
            t += 20;
            fill = 0;
          }
        }
      }
      if (fill > 0) yield { samples: pending.slice(0, fill), sampleRate: options.sampleRate, timestampMs: t };
    } catch (err) {
      const e = err as grpc.ServiceError;
      if (signal?.aborted) {
        outcome = 'cancelled';
        return;
      }
      outcome = 'error';
      const error = timedOut
        ? new VoicebotError('TTS_TIMEOUT', `synthesizer at ${o.address} sent no audio for ${readMs} ms`, {
            address: o.address,
          })
        : connectFailed
          ? new VoicebotError(
              'TTS_UNAVAILABLE',
              `synthesizer at ${o.address}: not connected after ${connectMs} ms`,
              {
                address: o.address,
              },
            )
          : errorFromGrpc('tts', e, o.address);
      o.metrics?.speechErrors.inc({ adapter: this.name, kind: 'tts', code: error.code });
      throw error;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted && outcome === 'ok') outcome = 'cancelled';
      call.cancel();
      o.metrics?.speechRequests.inc({ adapter: this.name, kind: 'tts', outcome });
    }
  }

  async close(): Promise<void> {
    this.client.close();
  }
}
