/**
 * Cuts a stream of frames into fixed windows (20 ms by default) for the tone detectors, and
 * tells each window's media start time. Restarts when the sample rate changes. Pure.
 */
import type { AudioFrame, SampleRate } from '../audio/frame.ts';

export class Windower {
  private rate: SampleRate | null = null;
  private window = new Float64Array(0);
  private filled = 0;
  private startMs = 0;

  constructor(private readonly windowMs = 20) {}

  /** Calls `onRateChange` first when the rate is new, then `onWindow` per complete window. */
  push(
    frame: AudioFrame,
    onWindow: (window: Float64Array, startMs: number) => void,
    onRateChange?: (rate: SampleRate) => void,
  ): void {
    if (this.rate !== frame.sampleRate) {
      this.rate = frame.sampleRate;
      this.window = new Float64Array((frame.sampleRate * this.windowMs) / 1000);
      this.filled = 0;
      onRateChange?.(frame.sampleRate);
    }
    const s = frame.samples;
    const msPerSample = 1000 / frame.sampleRate;
    for (let i = 0; i < s.length; i++) {
      if (this.filled === 0) this.startMs = frame.timestampMs + i * msPerSample;
      this.window[this.filled++] = s[i]!;
      if (this.filled === this.window.length) {
        this.filled = 0;
        onWindow(this.window, this.startMs);
      }
    }
  }
}
