/**
 * Collects caller audio until `batchMs` is buffered, for speech servers that want fewer, larger
 * messages than one per 20 ms frame (Vosk, FunASR). `take()` empties it early (flush, end).
 */
export class SampleBatcher {
  private parts: Int16Array[] = [];
  private count = 0;

  constructor(private readonly batchMs: number) {}

  /** Adds samples; returns the whole batch once it spans batchMs, else null. */
  push(samples: Int16Array, sampleRate: number): Int16Array | null {
    this.parts.push(samples);
    this.count += samples.length;
    return (this.count * 1000) / sampleRate >= this.batchMs ? this.take() : null;
  }

  /** Everything buffered as one array, or null when nothing is. */
  take(): Int16Array | null {
    if (this.count === 0) return null;
    const all = new Int16Array(this.count);
    let at = 0;
    for (const part of this.parts) {
      all.set(part, at);
      at += part.length;
    }
    this.parts = [];
    this.count = 0;
    return all;
  }
}
