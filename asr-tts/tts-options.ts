/** Checks a synthesis request against an adapter's capabilities; bad input is TTS_BAD_REQUEST. */
import { VoicebotError } from '../engine/errors.ts';
import type { SynthesizeOptions, TtsCapabilities } from './tts.ts';

export const MIN_RATE = 0.3;
export const MAX_RATE = 3;

export function validateSynthesis(
  adapter: string,
  caps: TtsCapabilities,
  text: string,
  o: SynthesizeOptions,
): void {
  const bad = (message: string, details: Record<string, unknown>) =>
    new VoicebotError('TTS_BAD_REQUEST', `${adapter}: ${message}`, { adapter, ...details });
  if (typeof text !== 'string' || text.trim() === '') throw bad('text is empty: give the words to speak', {});
  if (!caps.languages.includes(o.language)) {
    throw bad(`language ${o.language} is not supported (supported: ${caps.languages.join(', ')})`, {
      language: o.language,
    });
  }
  if (o.voice !== undefined && !caps.voices.includes(o.voice)) {
    throw bad(`voice ${o.voice} is unknown (voices: ${caps.voices.join(', ')})`, { voice: o.voice });
  }
  if (!caps.sampleRates.includes(o.sampleRate)) {
    throw bad(`sample rate ${o.sampleRate} is not supported (use ${caps.sampleRates.join(' or ')})`, {
      sampleRate: o.sampleRate,
    });
  }
  const rate = o.rate ?? 1;
  if (!Number.isFinite(rate) || rate < MIN_RATE || rate > MAX_RATE) {
    throw bad(`rate ${o.rate} is out of range: use a number from ${MIN_RATE} to ${MAX_RATE} (1 is normal)`, {
      rate: o.rate,
    });
  }
}
