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
  /** Streams audio frames as they are synthesized; abort `signal` to cancel (barge-in). */
  synthesize(text: string, options: SynthesizeOptions, signal?: AbortSignal): AsyncIterable<AudioFrame>;
  close?(): Promise<void>;
}
