/**
 * Echo gate: keeps the bot's own voice, leaking back from the caller's phone (speakerphone,
 * hybrid echo), from looking like caller speech. The bot's outgoing audio is the reference:
 * its energy per 20 ms block is kept on the wall-clock timeline of when it plays. An incoming
 * frame is echo when its energy is no more than the echo return (default -6 dB) of the loudest
 * reference block around "now minus the echo delay". The delay is measured by
 * cross-correlating the incoming and outgoing energy envelopes while the bot talks; until a
 * clear peak is found, the whole 0..maxDelayMs window is used. Pure: no I/O, times are given.
 */

const BLOCK_MS = 20;

export interface EchoGateOptions {
  /** Longest echo delay considered (default 600 ms). */
  maxDelayMs?: number;
  /** Loudest echo, as a power ratio to the reference, still treated as echo (default 0.25 = -6 dB). */
  maxEchoPowerRatio?: number;
  /** Reference blocks quieter than this mean power (sample units squared) are silence (default 100^2). */
  silencePower?: number;
  /**
   * Double talk: once a frame is louder than the echo can explain, the caller is talking; the
   * next frames pass for this long (default 0: off; a hold also lets echo through after a
   * loud caller frame, and the VAD's own hangover already bridges syllables).
   */
  holdMs?: number;
}

export interface EchoGateState {
  /** Measured delay in ms, or null while unknown. */
  delayMs: number | null;
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

export class EchoGate {
  private readonly maxDelayBlocks: number;
  private readonly ratio: number;
  private readonly silence: number;
  /** Reference power by block index (wall ms / 20). */
  private readonly out = new Map<number, number>();
  /** Incoming power by block index. */
  private readonly inp = new Map<number, number>();
  private delayBlocks: number | null = null;
  private readonly holdMs: number;
  private passUntil = Number.NEGATIVE_INFINITY;
  private sinceEstimate = 0;
  echoFrames = 0;

  constructor(options: EchoGateOptions = {}) {
    this.maxDelayBlocks = Math.ceil((options.maxDelayMs ?? 600) / BLOCK_MS);
    this.ratio = options.maxEchoPowerRatio ?? 0.25;
    this.silence = options.silencePower ?? 100 * 100;
    this.holdMs = options.holdMs ?? 0;
  }

  get state(): EchoGateState {
    return {
      delayMs: this.delayBlocks === null ? null : this.delayBlocks * BLOCK_MS,
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
    if (++this.sinceEstimate >= 25) {
      this.sinceEstimate = 0;
      this.estimateDelay(b);
    }
    let ref = 0;
    const [lo, hi] =
      this.delayBlocks === null ? [0, this.maxDelayBlocks] : [this.delayBlocks - 5, this.delayBlocks + 5];
    for (let lag = Math.max(0, lo); lag <= hi; lag++) ref = Math.max(ref, this.out.get(b - lag) ?? 0);
    if (ref < this.silence || atMs < this.passUntil) return false;
    const echo = p <= ref * this.ratio;
    if (echo) this.echoFrames++;
    else this.passUntil = atMs + this.holdMs;
    return echo;
  }

  private prune(now: number): void {
    const keep = now - 3 * this.maxDelayBlocks - 100;
    for (const b of this.inp.keys()) if (b < keep) this.inp.delete(b);
    for (const b of this.out.keys()) if (b < keep) this.out.delete(b);
  }

  /** Normalised cross-correlation of log energies over the last ~2 s; keeps a clear peak only. */
  private estimateDelay(now: number): void {
    const span = 100;
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
      for (let b = now - span; b <= now; b++) {
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
    if (best >= 0.6) this.delayBlocks = bestLag;
  }
}
