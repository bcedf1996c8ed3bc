/**
 * The caller's audio of the utterance in progress, for a recognizer opened in the middle of it
 * (a `listen` that arrives while the caller is talking over a prompt): from `preRollMs` before
 * the VAD's speech start until the recognizer's final for it. Between utterances only the last
 * `preRollMs` are kept. Pure and synchronous.
 */
import type { AudioFrame } from '../audio/frame.ts';

/** Audio kept before the VAD's speech start (its own decision lags the onset). */
export const PRE_ROLL_MS = 300;
/** An utterance longer than this is cut at its start (a recognizer would have endpointed it). */
const MAX_HELD_MS = 30_000;

export class UtteranceAudio {
  private frames: AudioFrame[] = [];
  private ms = 0;
  private holding = false;

  constructor(private readonly preRollMs = PRE_ROLL_MS) {}

  /** Caller audio, in order. */
  push(frame: AudioFrame): void {
    this.frames.push(frame);
    this.ms += (frame.samples.length * 1000) / frame.sampleRate;
    this.trim(this.holding ? MAX_HELD_MS : this.preRollMs);
  }

  /** The VAD heard speech start: keep everything from the pre-roll on. */
  speechStarted(): void {
    this.holding = true;
  }

  /**
   * A recognizer final covered what was kept: drop it (a new recognizer must not hear it again).
   * Still speaking: keep what comes next, else back to keeping only the pre-roll.
   */
  finalHeard(stillSpeaking: boolean): void {
    this.frames = [];
    this.ms = 0;
    this.holding = stillSpeaking;
  }

  /** An utterance is in progress (speech started, no final yet). */
  get inProgress(): boolean {
    return this.holding;
  }

  /** The audio kept, oldest first. */
  held(): readonly AudioFrame[] {
    return this.frames;
  }

  private trim(limitMs: number): void {
    while (this.frames.length > 1) {
      const first = this.frames[0]!;
      const firstMs = (first.samples.length * 1000) / first.sampleRate;
      if (this.ms - firstMs < limitMs) break;
      this.frames.shift();
      this.ms -= firstMs;
    }
  }
}
