/**
 * Regroups PCM16 chunks of any length (as engines and pipes deliver them) into 20 ms frames with
 * contiguous media timestamps from 0. `flush()` returns the last partial frame, if any.
 */
import type { AudioFrame, SampleRate } from '../engine/audio/frame.ts';
import { FRAME_MS, samplesPerFrame } from '../engine/audio/frame.ts';

export class FrameChunker {
  readonly #rate: SampleRate;
  readonly #n: number;
  #buf: Int16Array;
  #fill = 0;
  #nextMs = 0;

  constructor(sampleRate: SampleRate) {
    this.#rate = sampleRate;
    this.#n = samplesPerFrame(sampleRate);
    this.#buf = new Int16Array(this.#n);
  }

  /** Adds samples; returns the whole frames they complete. */
  push(samples: Int16Array): AudioFrame[] {
    const out: AudioFrame[] = [];
    let i = 0;
    while (i < samples.length) {
      const take = Math.min(this.#n - this.#fill, samples.length - i);
      this.#buf.set(samples.subarray(i, i + take), this.#fill);
      this.#fill += take;
      i += take;
      if (this.#fill === this.#n) {
        out.push(this.#emit(this.#buf));
        this.#buf = new Int16Array(this.#n);
        this.#fill = 0;
      }
    }
    return out;
  }

  /** The final partial frame (shorter than 20 ms), or undefined when nothing is pending. */
  flush(): AudioFrame | undefined {
    if (this.#fill === 0) return undefined;
    const f = this.#emit(this.#buf.slice(0, this.#fill));
    this.#fill = 0;
    return f;
  }

  #emit(samples: Int16Array): AudioFrame {
    const f = { samples, sampleRate: this.#rate, timestampMs: this.#nextMs };
    this.#nextMs += FRAME_MS;
    return f;
  }
}
