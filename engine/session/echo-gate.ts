/**
 * Echo gate: keeps the bot's own voice, leaking back from the caller's phone (speakerphone,
 * hybrid echo), and the line's steady noise from looking like caller speech, without eating the
 * caller's own speech. The bot's outgoing audio is the reference: its energy per 20 ms block is
 * kept on the wall-clock timeline of when it plays. Both powers are taken after a 200 Hz
 * high-pass (as the VADs do: the rumble of line noise is not speech).
 *
 * - noise floor: the line's steady background, measured at all times (`noise-floor.ts`,
 *   minimum statistics), whether or not the bot talks;
 * - echo return: how much the line rises above its noise (the part above noise x `NOISE_PEAK`,
 *   the noise's own peaks) under the bot, as a power ratio to the loudest reference block in
 *   the 0..maxDelay window (80th percentile over the last ~4 s of bot talk: echo follows the
 *   bot, so it sets the upper part; a caller who talks over it for a moment does not; nor does
 *   the echo window after a flush, when the caller who barged in is talking). Before, the noise
 *   was taken for echo and held the caller back on noisy lines;
 * - delay: cross-correlation of the incoming and outgoing log-energy envelopes (a clear peak);
 *   once known, also the median gain from the reference block one delay earlier.
 *
 * A frame is held back (echo or noise) when its power is at most noise floor x
 * `noiseMarginRatio` (+7 dB), or (noise + expected echo) x `marginRatio` (+6 dB); the expected
 * echo is the larger of the echo return x the loudest block in the window (safe whatever the
 * delay) and the gain x the blocks at the delay (it follows the bot's words). With the bot
 * silent only the noise bar applies. Once a frame passes, the next `holdMs` pass too while they
 * stay above noise + echo (no margin) x `holdRatio` (+4 dB): the quieter parts of the caller's
 * first syllables are not cut out of what the VAD hears. A quiet line (no echo, no noise) passes
 * the caller from their first syllable. Until `learnClearMs` (no echo measured) or `learnMs` (an
 * echo measured) of bot talk has been heard through, any frame within `learningRatio` (0 dB)
 * of the reference counts as echo (the bot must not interrupt itself at the start of a call).
 * Pure: no I/O, times are given.
 */

import { HighPassPower, NoiseFloor } from './noise-floor.ts';

const BLOCK_MS = 20;

export interface EchoGateOptions {
  /** Longest echo delay considered (default 600 ms). */
  maxDelayMs?: number;
  /** Reference blocks quieter than this mean power (sample units squared) are silence (default 100^2). */
  silencePower?: number;
  /** Bot talk heard through before a measured echo is trusted (default 1000 ms). */
  learnMs?: number;
  /** Bot talk heard through before a quiet line (no echo measured) is trusted (default 600 ms). */
  learnClearMs?: number;
  /** While learning: echo = at most this ratio of the loudest reference in the window (default 1: 0 dB). */
  learningRatio?: number;
  /** Measured echo return x this still counts as echo (default 4: +6 dB). */
  marginRatio?: number;
  /** Noise floor x this still counts as line noise while the bot talks (default 5: +7 dB). */
  noiseMarginRatio?: number;
  /** After a frame passed: how long later frames pass while above the echo and noise x `holdRatio` (default 200 ms). */
  holdMs?: number;
  /** See `holdMs` (default 2.5: +4 dB). */
  holdRatio?: number;
}

export type EchoGateMode = 'learning' | 'echo' | 'clear';

export interface EchoGateState {
  /** learning; echo (an echo measured: frames it explains are gated); clear (the line is quiet under the bot). */
  mode: EchoGateMode;
  /** Measured delay in ms, or null while unknown. */
  delayMs: number | null;
  /** Measured echo return in dB (line power under the bot / loudest bot block), null while learning. */
  echoReturnDb: number | null;
  /** The line's steady noise floor in dBFS (high-passed), null while none is known. */
  noiseFloorDbfs: number | null;
  /** Frames held back as echo (the bot's audio explained them). */
  echoFrames: number;
  /** Frames held back as line noise (under the noise floor + margin, more than the echo explains). */
  noiseFrames: number;
}

const FULL_SCALE_POWER = 32768 * 32768;

/** Blocks of history for the delay (~2 s) and the echo return (~4 s). */
const SPAN = 100;
const LEVEL_SPAN = 200;
/** Echo return below this (-30 dB) is a quiet line: mode `clear`. */
const CLEAR_RATIO = 0.001;
/** Blocks whose reference is this far under the loudest one kept (-20 dB) do not measure the echo return. */
const MEASURE_REF_RATIO = 0.01;
/** A block within this of the loudest in the window (-5 dB) measures the echo gain at the delay. */
const ALIGNED_SOURCE_RATIO = 0.3;
/** Line noise frames reach this x the noise floor (+3 dB) with nobody talking: the part of a frame above it is echo. */
const NOISE_PEAK = 2;
/** Bot talk (blocks) before the echo return is measured at all. */
const MIN_TALK_BLOCKS = 15;

export class EchoGate {
  private readonly maxDelayBlocks: number;
  private readonly silence: number;
  private readonly learnBlocks: number;
  private readonly learnClearBlocks: number;
  private readonly learningRatio: number;
  private readonly margin: number;
  private readonly noiseMargin: number;
  private readonly holdBlocks: number;
  private readonly holdRatio: number;
  private readonly noise = new NoiseFloor();
  private readonly highPass = new HighPassPower();
  private readonly refHighPass = new HighPassPower();
  /** Block index until which frames above noise x holdRatio pass (after a frame that passed). */
  private holdUntil = Number.NEGATIVE_INFINITY;
  /** Reference power by block index (wall ms / 20). */
  private readonly out = new Map<number, number>();
  /** Incoming power by block index. */
  private readonly inp = new Map<number, number>();
  /** Incoming above the noise floor / loudest reference in the window, for the blocks the bot was talking. */
  private readonly levels: { ratio: number; ref: number }[] = [];
  /** Incoming above the noise floor / the reference block one delay earlier (delay known, that block loud). */
  private readonly gains: number[] = [];
  private delayBlocks: number | null = null;
  /** Echo return: the larger of the two measures below (reported, and what decides the mode). */
  private echoRatio: number | null = null;
  /** 80th percentile of incoming / loudest reference in the window. */
  private upperRatio = 0;
  /** Median gain at the measured delay (0 while the delay is unknown). */
  private gain = 0;
  private learned = 0;
  /** Block of the last flush: the echo window after it is the caller talking (they caused it), not echo. */
  private clearedAt = Number.NEGATIVE_INFINITY;
  private sinceEstimate = 0;
  echoFrames = 0;
  noiseFrames = 0;
  /** The bot's audio was in the window of the last frame judged (it was talking, or its echo may be). */
  private botAudible = false;
  /** The last frame judged rose above the line's noise and the bot's echo (it is sound from the caller's side). */
  passed = false;
  /**
   * The bot's audio is in the window of the last frame judged and the echo path has been
   * learned: a frame that passed is then not its own echo arriving early.
   */
  get botTalking(): boolean {
    return this.botAudible && this.mode !== 'learning';
  }

  constructor(options: EchoGateOptions = {}) {
    this.maxDelayBlocks = Math.ceil((options.maxDelayMs ?? 600) / BLOCK_MS);
    this.silence = options.silencePower ?? 100 * 100;
    this.learnBlocks = Math.ceil((options.learnMs ?? 1000) / BLOCK_MS);
    this.learnClearBlocks = Math.min(this.learnBlocks, Math.ceil((options.learnClearMs ?? 600) / BLOCK_MS));
    this.learningRatio = options.learningRatio ?? 1;
    this.margin = options.marginRatio ?? 4;
    this.noiseMargin = options.noiseMarginRatio ?? 5;
    this.holdBlocks = Math.round((options.holdMs ?? 200) / BLOCK_MS);
    this.holdRatio = options.holdRatio ?? 2.5;
  }

  get mode(): EchoGateMode {
    if (this.echoRatio === null || this.learned < this.learnClearBlocks) return 'learning';
    if (this.echoRatio < CLEAR_RATIO) return 'clear';
    return this.learned < this.learnBlocks ? 'learning' : 'echo';
  }

  get state(): EchoGateState {
    return {
      mode: this.mode,
      delayMs: this.delayBlocks === null ? null : this.delayBlocks * BLOCK_MS,
      echoReturnDb:
        this.echoRatio === null ? null : Math.round(10 * Math.log10(this.echoRatio + 1e-9) * 10) / 10,
      noiseFloorDbfs: this.noise.known
        ? Math.round(10 * Math.log10(this.noise.power / FULL_SCALE_POWER + 1e-12) * 10) / 10
        : null,
      echoFrames: this.echoFrames,
      noiseFrames: this.noiseFrames,
    };
  }

  /** The bot's audio that starts playing at `startMs` (wall clock). */
  played(samples: Int16Array, sampleRate: number, startMs: number): void {
    const per = (sampleRate * BLOCK_MS) / 1000;
    const first = Math.round(startMs / BLOCK_MS);
    for (let i = 0, b = first; i < samples.length; i += per, b++) {
      this.out.set(b, this.refHighPass.of(samples.subarray(i, i + per), sampleRate));
    }
  }

  /** Playback was flushed at `atMs`: nothing after it will play. */
  cleared(atMs: number): void {
    const from = Math.ceil(atMs / BLOCK_MS);
    for (const b of this.out.keys()) if (b >= from) this.out.delete(b);
    this.clearedAt = from;
  }

  /**
   * True when the caller's frame, received at `atMs`, is explained by the bot's own audio or by
   * the line's steady noise (so it must not be heard as caller speech). A digitally silent frame
   * is never held back (there is nothing in it to hear).
   */
  isEcho(samples: Int16Array, atMs: number, sampleRate = 8000): boolean {
    const b = Math.round(atMs / BLOCK_MS);
    const p = this.highPass.of(samples, sampleRate);
    this.passed = false;
    const noise = this.noise.power;
    this.noise.push(p);
    this.inp.set(b, p);
    this.prune(b);
    const ref = this.maxRef(b, 0, this.maxDelayBlocks);
    this.botAudible = ref >= this.silence;
    if (p === 0 && !this.botAudible) return false;
    // What the line carries with nobody talking: its noise, and the bot's echo (powers add up).
    let expected = noise;
    let echo = noise;
    if (this.botAudible) {
      this.learned++;
      if (b > this.clearedAt + this.maxDelayBlocks) {
        // The noise's own frames rise up to about +3 dB over its mean: not echo.
        const above = Math.max(0, p - NOISE_PEAK * noise);
        this.levels.push({ ratio: above / ref, ref });
        if (this.levels.length > LEVEL_SPAN) this.levels.shift();
        // With the delay known: the gain from the very block that echoes here, when it is loud.
        const source = this.delayBlocks === null ? 0 : (this.out.get(b - this.delayBlocks) ?? 0);
        if (source >= ref * ALIGNED_SOURCE_RATIO) {
          this.gains.push(above / source);
          if (this.gains.length > LEVEL_SPAN) this.gains.shift();
        }
      }
      if (++this.sinceEstimate >= 5) {
        this.sinceEstimate = 0;
        this.estimate(b);
      }
      const learning = this.mode === 'learning';
      expected = noise + (learning ? ref * this.learningRatio : this.expectedEcho(b, ref));
      echo = learning ? expected : expected * this.margin;
    }
    if (p > Math.max(echo, noise * this.noiseMargin)) {
      this.holdUntil = b + this.holdBlocks;
      this.passed = true;
      return false;
    }
    // Just after a frame that passed, a lower bar: the quieter parts of the same syllables.
    if (b <= this.holdUntil && p > expected * this.holdRatio) {
      this.passed = true;
      return false;
    }
    if (this.botAudible && p <= echo) this.echoFrames++;
    else this.noiseFrames++;
    return true;
  }

  /**
   * The loudest echo that can be arriving at block `b`: the upper level against the loudest
   * block in the whole window (safe whatever the delay), or the gain at the measured delay
   * against the blocks that echo now (it follows the bot's words, so the caller passes between
   * them), whichever is larger.
   */
  private expectedEcho(b: number, ref: number): number {
    const atDelay =
      this.delayBlocks === null ? 0 : this.maxRef(b, this.delayBlocks - 1, this.delayBlocks + 1);
    return Math.max(ref * this.upperRatio, atDelay * this.gain);
  }

  private maxRef(b: number, lo: number, hi: number): number {
    let ref = 0;
    for (let lag = Math.max(0, lo); lag <= hi; lag++) ref = Math.max(ref, this.out.get(b - lag) ?? 0);
    return ref;
  }

  private prune(now: number): void {
    const keep = now - 3 * this.maxDelayBlocks - SPAN;
    for (const b of this.inp.keys()) if (b < keep) this.inp.delete(b);
    for (const b of this.out.keys()) if (b < keep) this.out.delete(b);
  }

  private estimate(now: number): void {
    if (this.levels.length < MIN_TALK_BLOCKS) return;
    const loudest = this.levels.reduce((m, l) => Math.max(m, l.ref), 0);
    const sorted = this.levels
      .filter((l) => l.ref >= loudest * MEASURE_REF_RATIO)
      .map((l) => l.ratio)
      .sort((x, y) => x - y);
    const upper = sorted[Math.floor(sorted.length * 0.8)] ?? 0;
    // The echo of the loudest block arrives at the gain itself: the median gain at the delay
    // (robust to a caller talking over part of it) when the delay is known.
    const gains = [...this.gains].sort((x, y) => x - y);
    const gain = gains.length >= MIN_TALK_BLOCKS ? (gains[Math.floor(gains.length / 2)] ?? 0) : 0;
    this.upperRatio = upper;
    this.gain = this.delayBlocks === null ? 0 : gain;
    this.echoRatio = Math.max(upper, this.gain);
    const lag = this.correlate(now);
    if (lag !== null) this.delayBlocks = lag;
  }

  /** Normalised cross-correlation of log energies over the last ~2 s; a clear peak only. */
  private correlate(now: number): number | null {
    const logE = (m: Map<number, number>, b: number): number => Math.log10(1 + (m.get(b) ?? 0));
    let best = -1;
    let bestLag = -1;
    for (let lag = 0; lag <= this.maxDelayBlocks; lag++) {
      let sxy = 0;
      let sxx = 0;
      let syy = 0;
      let sx = 0;
      let sy = 0;
      let n = 0;
      for (let b = now - SPAN; b <= now; b++) {
        if (!this.inp.has(b) || !this.out.has(b - lag)) continue;
        const x = logE(this.out, b - lag);
        const y = logE(this.inp, b);
        sx += x;
        sy += y;
        sxy += x * y;
        sxx += x * x;
        syy += y * y;
        n++;
      }
      if (n < 25) continue;
      const cov = sxy - (sx * sy) / n;
      const vx = sxx - (sx * sx) / n;
      const vy = syy - (sy * sy) / n;
      if (vx <= 0 || vy <= 0) continue;
      const r = cov / Math.sqrt(vx * vy);
      if (r > best) {
        best = r;
        bestLag = lag;
      }
    }
    return best >= 0.6 ? bestLag : null;
  }
}
