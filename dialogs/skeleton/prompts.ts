/**
 * The walking skeleton's pre-rendered prompts (fixtures/prompts/*.wav, 8 kHz PCM16, rendered
 * by fixtures/prompts/render.sh). Loaded once per handler; 16 kHz copies are made on first use.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SampleRate } from '../../engine/audio/frame.ts';
import { resample } from '../../engine/audio/resample.ts';
import { readWav } from '../../engine/audio/wav.ts';
import { VoicebotError } from '../../engine/errors.ts';

export const PROMPT_NAMES = [
  'greeting',
  'menu',
  'echo',
  'digits',
  'agent',
  'no-agent',
  'goodbye',
  ...Array.from({ length: 10 }, (_, d) => `digit-${d}`),
] as const;

export type PromptName = (typeof PROMPT_NAMES)[number];

export const DEFAULT_PROMPTS_DIR = fileURLToPath(new URL('../../fixtures/prompts/', import.meta.url));

export class PromptSet {
  private readonly byRate = new Map<SampleRate, Map<PromptName, Int16Array>>();

  private constructor(base: Map<PromptName, Int16Array>) {
    this.byRate.set(8000, base);
  }

  /** Reads every prompt; a missing or non-8 kHz file is AUDIO_BAD_FORMAT naming the file. */
  static load(dir = DEFAULT_PROMPTS_DIR): PromptSet {
    const base = new Map<PromptName, Int16Array>();
    for (const name of PROMPT_NAMES) {
      const path = join(dir, `${name}.wav`);
      let bytes: Buffer;
      try {
        bytes = readFileSync(path);
      } catch (err) {
        throw new VoicebotError(
          'AUDIO_BAD_FORMAT',
          `prompt ${path} cannot be read (render the prompts with: bash fixtures/prompts/render.sh)`,
          { path },
          { cause: err },
        );
      }
      const wav = readWav(bytes);
      if (wav.sampleRate !== 8000) {
        throw new VoicebotError(
          'AUDIO_BAD_RATE',
          `prompt ${path} is ${wav.sampleRate} Hz; prompts are 8000 Hz`,
          {
            path,
          },
        );
      }
      base.set(name, wav.samples);
    }
    return new PromptSet(base);
  }

  get(name: PromptName, rate: SampleRate): Int16Array {
    let set = this.byRate.get(rate);
    if (!set) {
      set = new Map();
      this.byRate.set(rate, set);
    }
    let samples = set.get(name);
    if (!samples) {
      samples = resample(this.byRate.get(8000)!.get(name)!, 8000, rate);
      set.set(name, samples);
    }
    return samples;
  }
}
