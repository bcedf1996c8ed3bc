import type { AudioFrame } from '../engine/audio/frame.ts';

export type VadEvent = { type: 'vad.speech_start'; atMs: number } | { type: 'vad.speech_end'; atMs: number };

/**
 * Frame in, speech start/end out. Implementations are synchronous and allocation-light, take
 * frames of any length at 8 or 16 kHz, and stamp events with the media time of the boundary
 * itself (derived from the frames' timestampMs). Checked by asr-tts/testing/vad-contract.ts.
 */
export interface Vad {
  readonly name: string;
  /** Feed one frame; returns the events it caused (usually none). */
  process(frame: AudioFrame): VadEvent[];
  readonly speaking: boolean;
  reset(): void;
  /** Frees what the detector holds (WASM memory, model sessions); optional, idempotent. */
  close?(): void;
}
