/**
 * A TtsAdapter wrapper that serves rendered prompts from a content-addressed cache: memory (LRU,
 * byte-bounded) first, then disk (optional), else the wrapped engine, whose frames are passed
 * through as they come and stored once the prompt completed (an aborted render is not kept).
 * `prerender` fills the cache for static prompts at start-up; `putRecording` pins an
 * operator-recorded prompt (see import-prompt.ts) in place of synthesis for its text.
 */
import type { AudioFrame, SampleRate } from '../../engine/audio/frame.ts';
import { resample } from '../../engine/audio/resample.ts';
import { FrameChunker } from '../frame-chunker.ts';
import type { SynthesizeOptions, TtsAdapter, TtsCapabilities } from '../tts.ts';
import { promptKey } from './cache-key.ts';
import { DiskStore } from './disk-store.ts';
import { ByteLru } from './lru.ts';

export interface CachedTtsOptions {
  /** Memory budget in bytes (PCM16). Default 64 MiB (about 70 minutes of 8 kHz audio). */
  memoryBytes?: number;
  /** Folder for the on-disk cache; none: memory only. */
  dir?: string;
}

export interface PromptSpec {
  text: string;
  options: SynthesizeOptions;
}

export interface CacheStats {
  memoryHits: number;
  diskHits: number;
  misses: number;
  diskWriteErrors: number;
}

export class CachedTts implements TtsAdapter {
  readonly name: string;
  readonly capabilities: TtsCapabilities;
  readonly stats: CacheStats = { memoryHits: 0, diskHits: 0, misses: 0, diskWriteErrors: 0 };
  readonly #inner: TtsAdapter;
  readonly #memory: ByteLru;
  readonly #disk: DiskStore | undefined;

  constructor(inner: TtsAdapter, opts: CachedTtsOptions = {}) {
    this.#inner = inner;
    this.name = `cached-${inner.name}`;
    this.capabilities = inner.capabilities;
    this.#memory = new ByteLru(opts.memoryBytes ?? 64 << 20);
    this.#disk = opts.dir === undefined ? undefined : new DiskStore(opts.dir);
  }

  get memoryBytes(): number {
    return this.#memory.bytes;
  }

  async *synthesize(
    text: string,
    options: SynthesizeOptions,
    signal?: AbortSignal,
  ): AsyncIterable<AudioFrame> {
    if (signal?.aborted) return;
    const key = this.#key(text, options);
    const hit = await this.#lookup(key, options.sampleRate);
    if (hit) {
      yield* framesOf(hit, options.sampleRate, signal);
      return;
    }
    this.stats.misses++;
    const parts: Int16Array[] = [];
    for await (const frame of this.#inner.synthesize(text, options, signal)) {
      parts.push(frame.samples);
      yield frame;
    }
    if (signal?.aborted) return;
    await this.#store(key, join(parts), options.sampleRate);
  }

  /** Renders prompts not yet cached, in order; a failing prompt is reported, the rest go on. */
  async prerender(
    prompts: PromptSpec[],
  ): Promise<{ rendered: number; cached: number; failed: { text: string; error: Error }[] }> {
    const result = { rendered: 0, cached: 0, failed: [] as { text: string; error: Error }[] };
    for (const p of prompts) {
      const key = this.#key(p.text, p.options);
      if (await this.#lookup(key, p.options.sampleRate)) {
        result.cached++;
        continue;
      }
      try {
        const parts: Int16Array[] = [];
        for await (const f of this.#inner.synthesize(p.text, p.options)) parts.push(f.samples);
        await this.#store(key, join(parts), p.options.sampleRate);
        result.rendered++;
      } catch (err) {
        result.failed.push({ text: p.text, error: err instanceof Error ? err : new Error(String(err)) });
      }
    }
    return result;
  }

  /**
   * Pins recorded audio (8 kHz PCM16, e.g. from importPrompt) as the rendering of `text`, at
   * 8 and 16 kHz, for the given language/voice/rate.
   */
  async putRecording(
    text: string,
    options: Omit<SynthesizeOptions, 'sampleRate'>,
    samples8k: Int16Array,
  ): Promise<void> {
    await this.#store(this.#key(text, { ...options, sampleRate: 8000 }), samples8k, 8000);
    await this.#store(
      this.#key(text, { ...options, sampleRate: 16000 }),
      resample(samples8k, 8000, 16000),
      16000,
    );
  }

  async close(): Promise<void> {
    await this.#inner.close?.();
  }

  #key(text: string, options: SynthesizeOptions): string {
    return promptKey({ engine: this.#inner.name, text, options });
  }

  async #lookup(key: string, rate: SampleRate): Promise<Int16Array | undefined> {
    const mem = this.#memory.get(key);
    if (mem) {
      this.stats.memoryHits++;
      return mem;
    }
    const disk = await this.#disk?.get(key, rate);
    if (disk) {
      this.stats.diskHits++;
      this.#memory.set(key, disk);
    }
    return disk;
  }

  async #store(key: string, samples: Int16Array, rate: SampleRate): Promise<void> {
    this.#memory.set(key, samples);
    try {
      await this.#disk?.put(key, samples, rate);
    } catch {
      this.stats.diskWriteErrors++;
    }
  }
}

function join(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function* framesOf(samples: Int16Array, rate: SampleRate, signal?: AbortSignal): Generator<AudioFrame> {
  const chunker = new FrameChunker(rate);
  for (const f of chunker.push(samples)) {
    if (signal?.aborted) return;
    yield f;
  }
  const last = chunker.flush();
  if (last && !signal?.aborted) yield last;
}
