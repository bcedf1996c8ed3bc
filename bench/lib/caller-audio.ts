/**
 * Caller speech for the session benchmarks: espeak-ng utterances through the G.711 channel
 * (fixtures/speech/generate.ts), cached per text/voice/speed, with the sample where speech
 * starts, and pink noise for the line.
 */
import { phoneChannel, pinkNoise, speak } from '../../fixtures/speech/generate.ts';

export interface Utterance {
  samples: Int16Array;
  /** First sample of speech (8 kHz): the first 5 ms window above -40 dBFS. */
  onset: number;
  /** Samples of speech (onset to the last loud window). */
  speechSamples: number;
}

const cache = new Map<string, Utterance>();

function loudWindows(s: Int16Array): { first: number; last: number } {
  const win = 40;
  const threshold = 328; // -40 dBFS RMS
  let first = -1;
  let last = -1;
  for (let i = 0; i + win <= s.length; i += win) {
    let sum = 0;
    for (let j = i; j < i + win; j++) sum += s[j]! * s[j]!;
    if (Math.sqrt(sum / win) > threshold) {
      if (first < 0) first = i;
      last = i + win;
    }
  }
  return { first: Math.max(0, first), last: Math.max(0, last) };
}

/** `leadMs` of silence, the utterance, `tailMs` of silence, through G.711. */
export function utterance(
  text: string,
  opts: { voice?: string; wpm?: number; leadMs?: number; tailMs?: number } = {},
): Utterance {
  const { voice = 'en-us', wpm = 160, leadMs = 100, tailMs = 300 } = opts;
  const key = JSON.stringify([text, voice, wpm, leadMs, tailMs]);
  const hit = cache.get(key);
  if (hit) return hit;
  const speech = speak(text, voice, wpm);
  const { first, last } = loudWindows(speech);
  const lead = leadMs * 8;
  const samples = new Int16Array(lead + speech.length + tailMs * 8);
  samples.set(speech, lead);
  const u = { samples: phoneChannel(samples), onset: lead + first, speechSamples: last - first };
  cache.set(key, u);
  return u;
}

/** RMS of espeak-ng speech as utterance() makes it (the reference for SNRs). */
export const SPEECH_RMS = 3000;

/**
 * Pink noise for the caller's line, `snrDb` below typical speech (RMS 3000); `seed` picks
 * another stretch of it.
 */
export function lineNoise(ms: number, snrDb: number, seed = 0): Int16Array {
  const n = pinkNoise(ms + 50, 3 + (seed % 50) * 17).subarray(0, ms * 8);
  let sum = 0;
  for (const v of n) sum += v * v;
  const gain = SPEECH_RMS / 10 ** (snrDb / 20) / Math.sqrt(sum / n.length);
  return n.map((v) => Math.max(-32768, Math.min(32767, Math.round(v * gain))));
}

/** a + b, sample by sample (b repeated as needed), clipped; then the G.711 channel. */
export function mixed(a: Int16Array, b: Int16Array): Int16Array {
  const out = new Int16Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = Math.max(-32768, Math.min(32767, a[i]! + b[i % b.length]!));
  return phoneChannel(out);
}
