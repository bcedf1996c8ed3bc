import type { AudioFrame, SampleRate } from '../engine/audio/frame.ts';
import type { Language } from './asr.ts';

export interface SynthesizeOptions {
  language: Language;
  voice?: string;
  /** 1.0 is normal; 0.8 is the slower speech of the elderly mode. */
  rate?: number;
  sampleRate: SampleRate;
}

export interface TtsCapabilities {
  streaming: boolean;
  languages: Language[];
  voices: string[];
  sampleRates: SampleRate[];
}

export interface TtsAdapter {
  readonly name: string;
  readonly capabilities: TtsCapabilities;
  /**
   * Streams 20 ms frames (the last may be shorter) at `options.sampleRate`, timestamps from 0, as
   * soon as the engine produces audio. Aborting `signal` (barge-in) ends the iteration quietly
   * and stops the engine. Bad input (empty text, unknown language or voice, rate outside
   * 0.3..3) rejects the first `next()` with VoicebotError TTS_BAD_REQUEST; engine failures with
   * TTS_FAILED. Checked by asr-tts/testing/tts-contract.ts.
   */
  synthesize(text: string, options: SynthesizeOptions, signal?: AbortSignal): AsyncIterable<AudioFrame>;
  close?(): Promise<void>;
}
