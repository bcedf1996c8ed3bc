/**
 * In-band DTMF generation: a key's two tones as PCM16, for SIP legs without RFC 4733 and for the
 * simulated caller. Pure. Tones start and end with a 2 ms raised-cosine ramp so the edges do
 * not click (and do not splatter energy into other keys' bands).
 */
import { VoicebotError } from '../errors.ts';
import { type DtmfDigit, dtmfFrequencies, isDtmfDigit } from './dtmf-tones.ts';
import type { SampleRate } from './frame.ts';
import { clamp16 } from './pcm.ts';

export interface DtmfToneOptions {
  /** Tone length; 40..2000 ms typical, default 100. */
  durationMs?: number;
  /** Level of EACH of the two tones as sine peak relative to full scale; default -10 dBFS. */
  levelDbfs?: number;
  /** High-group minus low-group level in dB (positive = reverse twist); default 0. */
  twistDb?: number;
  sampleRate?: SampleRate;
}

const RAMP_MS = 2;

function badInput(message: string, details: Record<string, unknown>): VoicebotError {
  return new VoicebotError('AUDIO_BAD_FORMAT', message, details);
}

/** One key press as PCM16 (no silence around it). */
export function generateDtmf(digit: string, options: DtmfToneOptions = {}): Int16Array {
  const { durationMs = 100, levelDbfs = -10, twistDb = 0, sampleRate = 8000 } = options;
  const key = digit.toUpperCase();
  if (!isDtmfDigit(key)) {
    throw badInput(`'${digit}' is not a DTMF key (use 0-9 * # A-D)`, { digit });
  }
  if (!(durationMs > 0 && durationMs <= 60_000)) {
    throw badInput(`DTMF duration ${durationMs} ms is out of range (0, 60000]`, { durationMs });
  }
  if (!(levelDbfs <= 0)) throw badInput(`DTMF level ${levelDbfs} dBFS must be <= 0`, { levelDbfs });
  const [low, high] = dtmfFrequencies(key as DtmfDigit);
  const n = Math.round((durationMs * sampleRate) / 1000);
  const aLow = 32767 * 10 ** ((levelDbfs - Math.max(0, twistDb)) / 20);
  const aHigh = 32767 * 10 ** ((levelDbfs + Math.min(0, twistDb)) / 20);
  const wl = (2 * Math.PI * low) / sampleRate;
  const wh = (2 * Math.PI * high) / sampleRate;
  const ramp = Math.min(Math.round((RAMP_MS * sampleRate) / 1000), n >> 1);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    let g = 1;
    if (i < ramp) g = 0.5 - 0.5 * Math.cos((Math.PI * i) / ramp);
    else if (i >= n - ramp) g = 0.5 - 0.5 * Math.cos((Math.PI * (n - 1 - i)) / ramp);
    out[i] = clamp16(g * (aLow * Math.sin(wl * i) + aHigh * Math.sin(wh * i)));
  }
  return out;
}

export interface DtmfSequenceOptions extends DtmfToneOptions {
  /** Silence between keys; default 60 ms. */
  gapMs?: number;
}

/** A string of keys, each `durationMs` long, separated by `gapMs` of silence. */
export function generateDtmfSequence(digits: string, options: DtmfSequenceOptions = {}): Int16Array {
  const { gapMs = 60, sampleRate = 8000 } = options;
  const gap = Math.round((gapMs * sampleRate) / 1000);
  const tones = Array.from(digits, (d) => generateDtmf(d, options));
  const out = new Int16Array(tones.reduce((a, t) => a + t.length, 0) + gap * Math.max(0, tones.length - 1));
  let at = 0;
  for (const t of tones) {
    out.set(t, at);
    at += t.length + gap;
  }
  return out;
}
