/**
 * The VAD the walking skeleton uses for barge-in and echo turn ends.
 */

import type { Vad, VadEvent } from '../../asr-tts/vad.ts';
import type { AudioFrame, SampleRate } from '../../engine/audio/frame.ts';
import { dbfs } from '../../engine/audio/pcm.ts';

/** Minimal level gate with onset and hangover (replaced by engine/audio/vad-energy.ts). */
class LevelVad implements Vad {
  readonly name = 'level';
  speaking = false;
  private loud = 0;
  private quietMs = 0;

  constructor(
    private readonly thresholdDbfs = -40,
    private readonly onsetFrames = 2,
    private readonly hangoverMs = 500,
  ) {}

  process(frame: AudioFrame): VadEvent[] {
    const ms = (frame.samples.length * 1000) / frame.sampleRate;
    const isLoud = dbfs(frame.samples) > this.thresholdDbfs;
    if (!this.speaking) {
      this.loud = isLoud ? this.loud + 1 : 0;
      if (this.loud >= this.onsetFrames) {
        this.speaking = true;
        this.quietMs = 0;
        return [{ type: 'vad.speech_start', atMs: frame.timestampMs - (this.onsetFrames - 1) * ms }];
      }
      return [];
    }
    this.quietMs = isLoud ? 0 : this.quietMs + ms;
    if (this.quietMs >= this.hangoverMs) {
      this.speaking = false;
      this.loud = 0;
      return [{ type: 'vad.speech_end', atMs: frame.timestampMs + ms }];
    }
    return [];
  }

  reset(): void {
    this.speaking = false;
    this.loud = 0;
    this.quietMs = 0;
  }
}

export function defaultSkeletonVad(_sampleRate: SampleRate): Vad {
  return new LevelVad();
}
