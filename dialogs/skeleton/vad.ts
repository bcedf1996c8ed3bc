/**
 * The VAD the walking skeleton uses for barge-in and for the end of an utterance in echo mode:
 * the engine's energy VAD with its defaults (60 ms to declare speech, 500 ms hangover).
 */
import type { Vad } from '../../asr-tts/vad.ts';
import type { SampleRate } from '../../engine/audio/frame.ts';
import { EnergyVad } from '../../engine/audio/vad-energy.ts';

export function defaultSkeletonVad(_sampleRate: SampleRate): Vad {
  return new EnergyVad();
}
