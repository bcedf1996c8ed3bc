/**
 * A TtsAdapter that tries a chain of adapters (primary first, embedded last). Before the first
 * frame, a retryable failure (unreachable, timeout) is retried with backoff, then the next adapter
 * takes over; after audio has started, the next adapter continues the same text, skipping the
 * audio already played, so the caller hears one prompt. Every adapter gets a read timeout.
 * A refused request (TTS_BAD_REQUEST) is not retried: it is thrown as is.
 */
import { type AudioFrame, FRAME_MS } from '../../engine/audio/frame.ts';
import { isVoicebotError, VoicebotError } from '../../engine/errors.ts';
import type { Logger } from '../../engine/log/logger.ts';
import type { Metrics } from '../../engine/metrics/metrics.ts';
import type { SynthesizeOptions, TtsAdapter, TtsCapabilities } from '../tts.ts';
import type { CircuitBreaker } from './circuit-breaker.ts';
import { backoffDelayMs, sleep } from './retry.ts';
import { idleTimeout } from './timeouts.ts';

export interface FallbackTtsOptions {
  /** In order of preference; each may have a breaker and its own read timeout. */
  chain: { adapter: TtsAdapter; breaker?: CircuitBreaker; readTimeoutMs?: number }[];
  /** Longest wait for the first or the next frame (default for every adapter in the chain). */
  readTimeoutMs?: number;
  /** Retries per adapter before its first frame. */
  retries?: number;
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  metrics?: Metrics;
  log?: Logger;
  name?: string;
}

export class FallbackTts implements TtsAdapter {
  readonly name: string;
  readonly capabilities: TtsCapabilities;

  constructor(private readonly o: FallbackTtsOptions) {
    if (o.chain.length === 0) throw new Error('FallbackTts needs at least one adapter');
    const caps = o.chain.map((c) => c.adapter.capabilities);
    const first = caps[0] as TtsCapabilities;
    this.name = o.name ?? o.chain.map((c) => c.adapter.name).join('+');
    this.capabilities = {
      streaming: first.streaming,
      languages: first.languages.filter((l) => caps.every((c) => c.languages.includes(l))),
      voices: first.voices,
      sampleRates: first.sampleRates.filter((r) => caps.every((c) => c.sampleRates.includes(r))),
    };
  }

  async *synthesize(
    text: string,
    options: SynthesizeOptions,
    signal?: AbortSignal,
  ): AsyncIterable<AudioFrame> {
    let deliveredMs = 0;
    let nextTs = 0;
    let lastError: unknown;
    for (let i = 0; i < this.o.chain.length; i++) {
      const { adapter, breaker, readTimeoutMs } = this.o.chain[i] as FallbackTtsOptions['chain'][number];
      const readMs = readTimeoutMs ?? this.o.readTimeoutMs ?? 5000;
      const last = i === this.o.chain.length - 1;
      if (breaker && !breaker.tryAcquire() && !last) continue;
      // Options the next adapter cannot honour (a voice of the primary) are dropped on fallback.
      const opts =
        i > 0 && options.voice && !adapter.capabilities.voices.includes(options.voice)
          ? { ...options, voice: undefined }
          : options;
      for (let attempt = 0; ; attempt++) {
        if (signal?.aborted) return;
        const startedAt = deliveredMs;
        let skipMs = deliveredMs;
        try {
          const frames = idleTimeout(
            adapter.synthesize(text, stripUndefined(opts), signal),
            readMs,
            () =>
              new VoicebotError('TTS_TIMEOUT', `${adapter.name}: no audio for ${readMs} ms`, {
                adapter: adapter.name,
              }),
          );
          for await (const f of frames) {
            if (signal?.aborted) return;
            const ms = (f.samples.length * 1000) / f.sampleRate;
            if (skipMs >= ms) {
              skipMs -= ms;
              continue;
            }
            skipMs = 0;
            deliveredMs += ms;
            yield { ...f, timestampMs: nextTs };
            nextTs += FRAME_MS;
          }
          breaker?.onSuccess();
          return;
        } catch (err) {
          if (signal?.aborted) return;
          if (isVoicebotError(err) && !err.retryable) throw err;
          lastError = err;
          breaker?.onFailure();
          const code = isVoicebotError(err) ? err.code : 'TTS_FAILED';
          this.o.metrics?.speechErrors.inc({ adapter: adapter.name, kind: 'tts', code });
          const started = deliveredMs > startedAt || deliveredMs > 0;
          if (!started && attempt < (this.o.retries ?? 0) && (!breaker || breaker.tryAcquire())) {
            const delay = backoffDelayMs(
              attempt,
              this.o.retryBaseDelayMs ?? 100,
              this.o.retryMaxDelayMs ?? 1000,
              Math.random,
            );
            this.o.log?.warn(
              { code, adapter: adapter.name, attempt: attempt + 1, delayMs: delay },
              'tts failed; retrying',
            );
            await sleep(delay, signal).catch(() => {});
            continue;
          }
          const next = this.o.chain[i + 1]?.adapter.name;
          if (next) {
            this.o.log?.warn({ code, from: adapter.name, to: next, deliveredMs }, 'tts failed; switching');
            this.o.metrics?.speechFallbacks.inc({ from: adapter.name, to: next, kind: 'tts' });
          }
          break;
        }
      }
    }
    if (lastError) throw lastError;
    throw new VoicebotError('SPEECH_CIRCUIT_OPEN', `${this.name}: every synthesizer is unavailable`);
  }

  async close(): Promise<void> {
    await Promise.all(this.o.chain.map((c) => c.adapter.close?.()));
  }
}

function stripUndefined(o: SynthesizeOptions & { voice?: string | undefined }): SynthesizeOptions {
  const { voice, ...rest } = o;
  return voice === undefined ? rest : { ...rest, voice };
}
