/**
 * Voicemail beep detection: a tone of stable frequency (600-1100 Hz by default), above an
 * amplitude floor, lasting at least ~100 ms. Each 20 ms window runs a Goertzel bank across the
 * band; a window is "tonal" when the strongest bin holds most of the window's energy. A run of
 * tonal windows whose peak stays within a few bins is a beep; it is reported when the tone ends
 * (that is when the voicemail recording starts), or at `maxBeepMs` if it goes on. Pure: no I/O.
 */
import type { AudioFrame, SampleRate } from '../audio/frame.ts';
import { VoicebotError } from '../errors.ts';
import { goertzelCoeff, goertzelPower, toneShare, windowLevel } from './goertzel.ts';
import { Windower } from './windower.ts';

export interface BeepOptions {
  minHz: number;
  maxHz: number;
  /** Bin spacing of the Goertzel bank. */
  stepHz: number;
  /** Shortest tone that counts. */
  minBeepMs: number;
  /** A tone this long is reported without waiting for its end. */
  maxBeepMs: number;
  /** Mean |sample| a window needs (quiet tones are line noise, not a beep). */
  amplitudeFloor: number;
  /** Share of the window's energy in the peak bin (0..1) for the window to be tonal. */
  tonality: number;
  /** How far (Hz) the peak may wander within one beep. */
  maxDriftHz: number;
}

export const BEEP_DEFAULTS: Readonly<BeepOptions> = Object.freeze({
  minHz: 600,
  maxHz: 1100,
  stepHz: 20,
  minBeepMs: 100,
  maxBeepMs: 2000,
  amplitudeFloor: 300,
  tonality: 0.6,
  maxDriftHz: 60,
});

export interface BeepEvent {
  /** Media time (the frames' timestampMs) where the tone started and ended. */
  startMs: number;
  endMs: number;
  frequencyHz: number;
}

const WINDOW_MS = 20;

export function beepOptions(overrides: Partial<BeepOptions> = {}): BeepOptions {
  const o = { ...BEEP_DEFAULTS, ...overrides };
  const bad = (what: string) => new VoicebotError('AMD_BAD_PARAMETERS', `beep ${what}`);
  for (const [key, value] of Object.entries(o)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw bad(`${key} must be >= 0`);
  }
  if (o.minHz < 100 || o.maxHz > 3800 || o.minHz >= o.maxHz)
    throw bad('band must lie in 100-3800 Hz, min < max');
  if (o.stepHz < 5) throw bad('stepHz must be >= 5');
  if (o.tonality > 1) throw bad('tonality must be 0..1');
  return o;
}

interface Bank {
  coeffs: Float64Array;
  freqs: Float64Array;
}

function makeBank(o: BeepOptions, rate: SampleRate): Bank {
  const freqs: number[] = [];
  for (let f = o.minHz; f <= o.maxHz + 1e-9; f += o.stepHz) freqs.push(f);
  return {
    freqs: Float64Array.from(freqs),
    coeffs: Float64Array.from(freqs, (f) => goertzelCoeff(f, rate)),
  };
}

export class BeepDetector {
  readonly options: BeepOptions;
  private bank: Bank | null = null;
  private readonly windows = new Windower(WINDOW_MS);
  private windowStartMs = 0;
  private runStartMs = -1;
  private runMs = 0;
  private runFirstHz = 0;
  private runHzSum = 0;
  private reported = false;

  constructor(overrides: Partial<BeepOptions> = {}) {
    this.options = beepOptions(overrides);
  }

  /** Feeds audio; returns the beeps that completed within it. */
  push(frame: AudioFrame): BeepEvent[] {
    const out: BeepEvent[] = [];
    this.windows.push(
      frame,
      (window, startMs) => {
        this.windowStartMs = startMs;
        const ev = this.analyse(window);
        if (ev) out.push(ev);
      },
      (rate) => {
        this.bank = makeBank(this.options, rate);
      },
    );
    return out;
  }

  /** The peak bin's frequency when the window is tonal and loud enough, else null. */
  private tone(w: Float64Array): number | null {
    const n = w.length;
    const { energy, meanAbs } = windowLevel(w);
    if (meanAbs < this.options.amplitudeFloor || energy === 0) return null;
    const { coeffs, freqs } = this.bank!;
    let best = 0;
    let bestHz = 0;
    for (let k = 0; k < coeffs.length; k++) {
      const power = goertzelPower(w, coeffs[k]!);
      if (power > best) {
        best = power;
        bestHz = freqs[k]!;
      }
    }
    const share = toneShare(best, n, energy);
    return share >= this.options.tonality ? bestHz : null;
  }

  private analyse(window: Float64Array): BeepEvent | null {
    const o = this.options;
    const hz = this.tone(window);
    const continues = hz !== null && this.runStartMs >= 0 && Math.abs(hz - this.runFirstHz) <= o.maxDriftHz;
    if (continues) {
      this.runMs += WINDOW_MS;
      this.runHzSum += hz;
      if (!this.reported && this.runMs >= o.maxBeepMs) return this.finish();
      return null;
    }
    const ended = this.runStartMs >= 0 && !this.reported && this.runMs >= o.minBeepMs ? this.finish() : null;
    this.runStartMs = hz === null ? -1 : this.windowStartMs;
    this.runMs = hz === null ? 0 : WINDOW_MS;
    this.runFirstHz = hz ?? 0;
    this.runHzSum = hz ?? 0;
    this.reported = false;
    return ended;
  }

  private finish(): BeepEvent {
    this.reported = true;
    return {
      startMs: Math.round(this.runStartMs),
      endMs: Math.round(this.runStartMs + this.runMs),
      frequencyHz: Math.round(this.runHzSum / (this.runMs / WINDOW_MS)),
    };
  }
}
