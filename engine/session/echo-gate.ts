/**
 * Echo gate: keeps the bot's own voice, leaking back from the caller's phone (speakerphone,
 * hybrid echo), from looking like caller speech, without eating the caller's own speech. The
 * bot's outgoing audio is the reference: its energy per 20 ms block is kept on the wall-clock
 * timeline of when it plays. While the bot talks the gate measures the echo path:
 *
 * - echo return: how loud the line is under the bot, as a power ratio to the loudest reference
 *   block in the 0..maxDelay window (80th percentile over the last ~4 s of bot talk: echo
 *   follows the bot, so it sets the upper part; a caller who talks over it for a moment does not);
 * - delay: cross-correlation of the incoming and outgoing log-energy envelopes (a clear peak;
 *   reported, the window stays 0..maxDelay so a drifting delay cannot let echo through).
 *
 * A frame is echo when its power is at most echo return x `marginRatio` (+6 dB) of the loudest
 * reference block in the window. A quiet line (no echo) measures an echo return far below
 * speech, so the caller passes from their first syllable. Until `learnMs` of bot talk has been
 * heard through, nothing is measured and any frame within `learningRatio` (0 dB) of the
 * reference counts as echo (the bot must not interrupt itself at the start of a call). Pure:
 * no I/O, times are given.
 */

const BLOCK_MS = 20;

export interface EchoGateOptions {
  /** Longest echo delay considered (default 600 ms). */
  maxDelayMs?: number;
  /** Reference blocks quieter than this mean power (sample units squared) are silence (default 100^2). */
  silencePower?: number;
  /** Bot talk heard through before the measurement is trusted (default 600 ms). */
  learnMs?: number;
  /** While learning: echo = at most this ratio of the loudest reference in the window (default 1: 0 dB). */
  learningRatio?: number;
  /** Measured echo return x this still counts as echo (default 4: +6 dB). */
  marginRatio?: number;
}

export type EchoGateMode = 'learning' | 'echo' | 'clear';

export interface EchoGateState {
  /** learning; echo (an echo measured: frames it explains are gated); clear (the line is quiet under the bot). */
  mode: EchoGateMode;
  /** Measured delay in ms, or null while unknown. */
  delayMs: number | null;
  /** Measured echo return in dB (line power under the bot / loudest bot block), null while learning. */
  echoReturnDb: number | null;
  echoFrames: number;
}

function power(samples: Int16Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] ?? 0;
    sum += s * s;
  }
  return sum / samples.length;
}

/** Blocks of history for the delay (~2 s) and the echo return (~4 s). */
const SPAN = 100;
const LEVEL_SPAN = 200;
/** Echo return below this (-30 dB) is a quiet line: mode `clear`. */
const CLEAR_RATIO = 0.001;
/** Bot talk (blocks) before the echo return is measured at all. */
const MIN_TALK_BLOCKS = 15;

export class EchoGate {
  private readonly maxDelayBlocks: number;
  private readonly silence: number;
  private readonly learnBlocks: number;
  private readonly learningRatio: number;
  private readonly margin: number;
  /** Reference power by block index (wall ms / 20). */
  private readonly out = new Map<number, number>();
  /** Incoming power by block index. */
  private readonly inp = new Map<number, number>();
  /** Incoming / loudest reference in the window, for the blocks the bot was talking. */
  private readonly levels: number[] = [];
  private delayBlocks: number | null = null;
  private echoRatio: number | null = null;
  private learned = 0;
  private sinceEstimate = 0;
  echoFrames = 0;

  constructor(options: EchoGateOptions = {}) {
    this.maxDelayBlocks = Math.ceil((options.maxDelayMs ?? 600) / BLOCK_MS);
    this.silence = options.silencePower ?? 100 * 100;
    this.learnBlocks = Math.ceil((options.learnMs ?? 600) / BLOCK_MS);
    this.learningRatio = options.learningRatio ?? 1;
    this.margin = options.marginRatio ?? 4;
  }

  get mode(): EchoGateMode {
    if (this.learned < this.learnBlocks || this.echoRatio === null) return 'learning';
    return this.echoRatio < CLEAR_RATIO ? 'clear' : 'echo';
  }

  get state(): EchoGateState {
    return {
      mode: this.mode,
      delayMs: this.delayBlocks === null ? null : this.delayBlocks * BLOCK_MS,
      echoReturnDb:
        this.echoRatio === null ? null : Math.round(10 * Math.log10(this.echoRatio + 1e-9) * 10) / 10,
      echoFrames: this.echoFrames,
    };
  }

  /** The bot's audio that starts playing at `startMs` (wall clock). */
  played(samples: Int16Array, sampleRate: number, startMs: number): void {
    const per = (sampleRate * BLOCK_MS) / 1000;
    const first = Math.round(startMs / BLOCK_MS);
    for (let i = 0, b = first; i < samples.length; i += per, b++) {
      this.out.set(b, power(samples.subarray(i, i + per)));
    }
  }

  /** Playback was flushed at `atMs`: nothing after it will play. */
  cleared(atMs: number): void {
    const from = Math.ceil(atMs / BLOCK_MS);
    for (const b of this.out.keys()) if (b >= from) this.out.delete(b);
  }

  /** True when the caller's frame, received at `atMs`, is explained by the bot's own audio. */
  isEcho(samples: Int16Array, atMs: number): boolean {
    const b = Math.round(atMs / BLOCK_MS);
    const p = power(samples);
    this.inp.set(b, p);
    this.prune(b);
    const ref = this.maxRef(b, 0, this.maxDelayBlocks);
    if (ref < this.silence) return false;
    this.learned++;
    this.levels.push(p / ref);
    if (this.levels.length > LEVEL_SPAN) this.levels.shift();
    if (++this.sinceEstimate >= 5) {
      this.sinceEstimate = 0;
      this.estimate(b);
    }
    const ratio = this.mode === 'learning' ? this.learningRatio : (this.echoRatio ?? 0) * this.margin;
    const echo = p <= ref * ratio;
    if (echo) this.echoFrames++;
    return echo;
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
    const sorted = [...this.levels].sort((x, y) => x - y);
    this.echoRatio = sorted[Math.floor(sorted.length * 0.8)] ?? 0;
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
