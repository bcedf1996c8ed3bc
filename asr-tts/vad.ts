import type { AudioFrame } from '../engine/audio/frame.ts';

export type VadEvent = { type: 'vad.speech_start'; atMs: number } | { type: 'vad.speech_end'; atMs: number };

/** Frame in, speech start/end out. Implementations are synchronous and allocation-light. */
export interface Vad {
  readonly name: string;
  /** Feed one frame; returns the events it caused (usually none). */
  process(frame: AudioFrame): VadEvent[];
  readonly speaking: boolean;
  reset(): void;
}
