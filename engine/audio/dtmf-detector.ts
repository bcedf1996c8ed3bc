/**
 * In-band DTMF detection over a stream of AudioFrames (8 or 16 kHz). Pure and allocation-free
 * per frame (events aside).
 *
 * Per 12.75 ms block (102 samples at 8 kHz, 204 at 16 kHz), Goertzel filters measure the 8 key
 * frequencies. A block is a hit for a key when:
 * - both its row and column tones are above `minLevelDbfs`;
 * - twist is within limits (high group no more than `reverseTwistDb` above the low group, and no
 *   more than `normalTwistDb` below it);
 * - each tone beats every other tone of its group by `relativePeakDb`;
 * - the two tones carry at least `toneToTotal` of the block's power (speech and music spread it);
 * - each tone is within `maxOffsetPercent` of nominal (measured from its phase), and the high
 *   tone has no strong 2nd harmonic (voiced speech and instruments do).
 * Limit: two glides that cross a key's pair together (e.g. tones sweeping in opposite
 * directions) hold a valid pair for tens of ms and are accepted, as by any Q.24 receiver.
 * A key press is accepted after hits spanning `minToneMs` and ends after `minGapMs` without one;
 * one isolated bad block inside a tone is tolerated, so a press is reported exactly once.
 */
import { VoicebotError } from '../errors.ts';
import { DTMF_COLS_HZ, DTMF_KEYPAD, DTMF_ROWS_HZ, type DtmfDigit } from './dtmf-tones.ts';
import type { AudioFrame, SampleRate } from './frame.ts';

export type DtmfEvent =
  /** The key has been validated (still held): early enough for barge-in. */
  | { type: 'dtmf.start'; digit: DtmfDigit; startMs: number }
  /** The key was released: once per press, with its measured length. */
  | { type: 'dtmf.digit'; digit: DtmfDigit; startMs: number; durationMs: number };

export interface DtmfDetectorOptions {
  sampleRate?: SampleRate;
  /** Shortest tone accepted (ITU-T Q.24: 40 ms must be accepted). Default 40. */
  minToneMs?: number;
  /** Silence that ends a key press (and separates two presses of the same key). Default 40. */
  minGapMs?: number;
  /** Weakest tone accepted, RMS of each tone relative to full scale. Default -45. */
  minLevelDbfs?: number;
  /** Low group may exceed the high group by this much (normal twist). Default 8 dB. */
  normalTwistDb?: number;
  /** High group may exceed the low group by this much (reverse twist). Default 6 dB. */
  reverseTwistDb?: number;
  /** Each tone must beat the others of its group by this much. Default 8 dB. */
  relativePeakDb?: number;
  /** Share of the block's power the two tones must carry (0..1). Default 0.8: a block
   * only partly covered by a tone fails, so 2 hits need >= 2 x 0.8 blocks of tone (20 ms is rejected). */
  toneToTotal?: number;
  /** The high tone's 2nd harmonic must be this far below it. Default 15 dB. */
  harmonicRejectDb?: number;
  /** Largest accepted offset of a tone from nominal, in percent. Default 2.5. */
  maxOffsetPercent?: number;
}

const BLOCK_MS = 12.75;
/** Offset of the side probes used to measure a tone's exact frequency. */
const PROBE_HZ = 20;
const NO_EVENTS: DtmfEvent[] = [];
Object.freeze(NO_EVENTS);

const db = (v: number) => 10 ** (v / 10);

export class DtmfDetector {
  readonly sampleRate: SampleRate;
  private readonly n: number;
  private readonly coeffs = new Float64Array(8);
  private readonly harmCoeff = new Float64Array(4);
  private readonly loCoeffs = new Float64Array(8);
  private readonly hiCoeffs = new Float64Array(8);
  /** cos / sin of each tone's phase over one block, for the frequency-offset measurement. */
  private readonly cosTable: Float32Array[] = [];
  private readonly sinTable: Float32Array[] = [];
  private readonly power = new Float64Array(8);
  private readonly block: Float32Array;
  private fill = 0;
  private peakPower = 0;
  private offsetHz = 0;
  private readonly maxOffset: number;
  private blockStartMs = 0;

  private readonly minPower: number;
  private readonly normalTwist: number;
  private readonly reverseTwist: number;
  private readonly relPeak: number;
  private readonly toneToTotal: number;
  private readonly harmReject: number;
  private readonly needBlocks: number;
  private readonly gapBlocks: number;

  // Candidate (not yet validated) key.
  private cand: DtmfDigit | null = null;
  private candHits = 0;
  private candStartMs = 0;
  private candEndMs = 0;
  // Validated key in progress.
  private active: DtmfDigit | null = null;
  private activeStartMs = 0;
  private activeEndMs = 0;
  private misses = 0;

  constructor(options: DtmfDetectorOptions = {}) {
    const rate = options.sampleRate ?? 8000;
    if (rate !== 8000 && rate !== 16000) {
      throw new VoicebotError('AUDIO_BAD_RATE', `DTMF detector rate ${rate} Hz is not supported`, { rate });
    }
    this.sampleRate = rate;
    this.n = Math.round((BLOCK_MS * rate) / 1000);
    this.block = new Float32Array(this.n);
    const freqs = [...DTMF_ROWS_HZ, ...DTMF_COLS_HZ];
    for (let i = 0; i < 4; i++) this.harmCoeff[i] = 2 * Math.cos((2 * Math.PI * 2 * DTMF_COLS_HZ[i]!) / rate);
    for (let i = 0; i < 8; i++) {
      this.coeffs[i] = 2 * Math.cos((2 * Math.PI * freqs[i]!) / rate);
      this.loCoeffs[i] = 2 * Math.cos((2 * Math.PI * (freqs[i]! - PROBE_HZ)) / rate);
      this.hiCoeffs[i] = 2 * Math.cos((2 * Math.PI * (freqs[i]! + PROBE_HZ)) / rate);
      const w = (2 * Math.PI * freqs[i]!) / rate;
      this.cosTable.push(Float32Array.from({ length: this.n }, (_, k) => Math.cos(w * k)));
      this.sinTable.push(Float32Array.from({ length: this.n }, (_, k) => Math.sin(w * k)));
    }
    const minToneMs = options.minToneMs ?? 40;
    const minGapMs = options.minGapMs ?? 40;
    // A tone of length T always covers floor(T / block) - 1 whole blocks.
    this.needBlocks = Math.max(2, Math.floor(minToneMs / BLOCK_MS) - 1);
    // A gap of G always holds floor(G / block) blocks without the key (edge blocks fail the
    // power-share test), and a 10 ms drop-out spoils at most 2: 40 ms gives 3, bridging it.
    this.gapBlocks = Math.max(2, Math.floor(minGapMs / BLOCK_MS));
    // Tone power is measured as mean power: a sine of RMS r reads r^2.
    this.minPower = (32768 * 10 ** ((options.minLevelDbfs ?? -45) / 20)) ** 2;
    this.normalTwist = db(options.normalTwistDb ?? 8);
    this.reverseTwist = db(options.reverseTwistDb ?? 6);
    this.relPeak = db(options.relativePeakDb ?? 8);
    this.toneToTotal = options.toneToTotal ?? 0.8;
    this.harmReject = db(options.harmonicRejectDb ?? 15);
    this.maxOffset = (options.maxOffsetPercent ?? 2.5) / 100;
  }

  /** Feeds one frame; returns the events it completed (usually none; do not mutate). */
  process(frame: AudioFrame): DtmfEvent[] {
    if (frame.sampleRate !== this.sampleRate) {
      throw new VoicebotError(
        'AUDIO_BAD_RATE',
        `DTMF detector runs at ${this.sampleRate} Hz, got a ${frame.sampleRate} Hz frame`,
        { expected: this.sampleRate, got: frame.sampleRate },
      );
    }
    const s = frame.samples;
    const msPerSample = 1000 / this.sampleRate;
    let events = NO_EVENTS;
    let i = 0;
    while (i < s.length) {
      if (this.fill === 0) this.blockStartMs = frame.timestampMs + i * msPerSample;
      const take = Math.min(this.n - this.fill, s.length - i);
      for (let k = 0; k < take; k++) this.block[this.fill + k] = s[i + k]!;
      this.fill += take;
      i += take;
      if (this.fill === this.n) {
        this.fill = 0;
        const key = this.classify();
        const ev = this.track(key, this.blockStartMs, this.blockStartMs + BLOCK_MS);
        if (ev) {
          if (events === NO_EVENTS) events = [];
          events.push(ev);
          // A release may let a queued candidate start in the same block.
          const start = ev.type === 'dtmf.digit' ? this.promote() : null;
          if (start) events.push(start);
        }
      }
    }
    return events;
  }

  /** Ends a key still held at the end of the stream. */
  flush(): DtmfEvent[] {
    if (!this.active) return NO_EVENTS;
    const ev = this.release();
    this.reset();
    return [ev];
  }

  reset(): void {
    this.fill = 0;
    this.cand = null;
    this.candHits = 0;
    this.active = null;
    this.misses = 0;
  }

  private goertzel(coeff: number): number {
    const b = this.block;
    let s1 = 0;
    let s2 = 0;
    for (let k = 0; k < b.length; k++) {
      const s0 = b[k]! + coeff * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    // |X|^2 scaled to the mean power of a sine at this frequency: 2|X|^2 / N^2.
    const n = b.length;
    return (2 * (s1 * s1 + s2 * s2 - coeff * s1 * s2)) / (n * n);
  }

  /**
   * Measures tone `f` more closely: its best power over the nominal filter and probes
   * PROBE_HZ either side (a tone 1.5% off nominal loses up to 1.4 dB in the nominal filter), and
   * its offset from nominal in Hz, from the phase the tone gains between the two halves of the
   * block (unambiguous within +-78 Hz). Results go to `this.peakPower` / `this.offsetHz`.
   */
  private measure(f: number, nominal: number): void {
    const lo = this.goertzel(this.loCoeffs[f]!);
    const hi = this.goertzel(this.hiCoeffs[f]!);
    this.peakPower = Math.max(nominal, lo, hi);
    const b = this.block;
    const half = b.length >> 1;
    const cos = this.cosTable[f]!;
    const sin = this.sinTable[f]!;
    let re1 = 0;
    let im1 = 0;
    let re2 = 0;
    let im2 = 0;
    for (let k = 0; k < half; k++) {
      re1 += b[k]! * cos[k]!;
      im1 -= b[k]! * sin[k]!;
      re2 += b[k + half]! * cos[k + half]!;
      im2 -= b[k + half]! * sin[k + half]!;
    }
    // arg(X2 * conj(X1)) = 2 pi offset * half / rate
    const dphi = Math.atan2(im2 * re1 - re2 * im1, re2 * re1 + im2 * im1);
    this.offsetHz = (dphi * this.sampleRate) / (2 * Math.PI * half);
  }

  /** The key this block holds, or null. */
  private classify(): DtmfDigit | null {
    const p = this.power;
    for (let f = 0; f < 8; f++) p[f] = this.goertzel(this.coeffs[f]!);
    let r = 0;
    for (let f = 1; f < 4; f++) if (p[f]! > p[r]!) r = f;
    let c = 4;
    for (let f = 5; f < 8; f++) if (p[f]! > p[c]!) c = f;
    const pr = p[r]!;
    const pc = p[c]!;
    if (pr < this.minPower || pc < this.minPower) return null;
    if (pr > pc * this.normalTwist || pc > pr * this.reverseTwist) return null;
    for (let f = 0; f < 4; f++) if (f !== r && p[f]! * this.relPeak > pr) return null;
    for (let f = 4; f < 8; f++) if (f !== c && p[f]! * this.relPeak > pc) return null;
    const b = this.block;
    let total = 0;
    for (let k = 0; k < b.length; k++) total += b[k]! * b[k]!;
    total /= b.length;
    // Re-measure both tones: a tone more than `maxOffset` off nominal is not DTMF (Q.23 allows
    // 1.5%; 3.5% must be rejected), which also stops pairs of sweeping tones.
    this.measure(r, pr);
    const rowPower = this.peakPower;
    if (Math.abs(this.offsetHz) > this.maxOffset * DTMF_ROWS_HZ[r]!) return null;
    this.measure(c, pc);
    const colPower = this.peakPower;
    if (Math.abs(this.offsetHz) > this.maxOffset * DTMF_COLS_HZ[c - 4]!) return null;
    if (rowPower + colPower < this.toneToTotal * total) return null;
    // Only the high tone's 2nd harmonic (2.4-3.3 kHz) is checked: the low tones' harmonics
    // (1394-1882 Hz) sit within a block's resolution of the high group, so the key's own high tone
    // would leak into them.
    if (this.goertzel(this.harmCoeff[c - 4]!) * this.harmReject > pc) return null;
    return DTMF_KEYPAD[r]![c - 4] as DtmfDigit;
  }

  /** Advances the press state machine by one block; returns at most one event. */
  private track(key: DtmfDigit | null, startMs: number, endMs: number): DtmfEvent | null {
    if (this.active !== null) {
      if (key === this.active) {
        this.activeEndMs = endMs;
        this.misses = 0;
        this.cand = null;
        this.candHits = 0;
        return null;
      }
      this.misses++;
      this.note(key, startMs, endMs);
      if (this.misses >= this.gapBlocks) return this.release();
      return null;
    }
    this.note(key, startMs, endMs);
    return this.promote();
  }

  /** Counts consecutive blocks of the same candidate key. */
  private note(key: DtmfDigit | null, startMs: number, endMs: number): void {
    if (key !== null && key === this.cand) {
      this.candHits++;
      this.candEndMs = endMs;
    } else {
      this.cand = key;
      this.candHits = key === null ? 0 : 1;
      this.candStartMs = startMs;
      this.candEndMs = endMs;
    }
  }

  /** Starts a press when no key is active and the candidate has lasted long enough. */
  private promote(): DtmfEvent | null {
    if (this.active !== null || this.cand === null || this.candHits < this.needBlocks) return null;
    this.active = this.cand;
    this.activeStartMs = this.candStartMs;
    this.activeEndMs = this.candEndMs;
    this.misses = 0;
    this.cand = null;
    this.candHits = 0;
    return { type: 'dtmf.start', digit: this.active, startMs: round2(this.activeStartMs) };
  }

  private release(): DtmfEvent {
    const digit = this.active!;
    this.active = null;
    this.misses = 0;
    return {
      type: 'dtmf.digit',
      digit,
      startMs: round2(this.activeStartMs),
      durationMs: round2(this.activeEndMs - this.activeStartMs),
    };
  }
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

/** Runs a whole signal through a fresh detector; returns the completed key presses. */
export function detectDtmf(
  samples: Int16Array,
  options: DtmfDetectorOptions = {},
): Extract<DtmfEvent, { type: 'dtmf.digit' }>[] {
  const rate = options.sampleRate ?? 8000;
  const det = new DtmfDetector(options);
  const out: Extract<DtmfEvent, { type: 'dtmf.digit' }>[] = [];
  const step = rate / 50;
  for (let i = 0; i < samples.length; i += step) {
    for (const e of det.process({
      samples: samples.subarray(i, i + step),
      sampleRate: rate,
      timestampMs: (i * 1000) / rate,
    })) {
      if (e.type === 'dtmf.digit') out.push(e);
    }
  }
  for (const e of det.flush()) if (e.type === 'dtmf.digit') out.push(e);
  return out;
}
