/** Content address of one rendered prompt: sha256 over everything that changes the audio. */
import { createHash } from 'node:crypto';
import type { SynthesizeOptions } from '../tts.ts';

export interface PromptKeyParts {
  /** The adapter (engine) that renders it: another engine is another sound. */
  engine: string;
  text: string;
  options: SynthesizeOptions;
}

export function promptKey({ engine, text, options }: PromptKeyParts): string {
  const canonical = JSON.stringify([
    'voicebot-prompt-v1',
    engine,
    text.normalize('NFC').trim(),
    options.language,
    options.voice ?? '',
    options.rate ?? 1,
    `pcm16/${options.sampleRate}`,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}
