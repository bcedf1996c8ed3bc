/**
 * Calls-per-second limit of one trunk: a token bucket refilled at `ratePerSec` up to `burst`
 * tokens (default 1: starts are evenly spaced, at least 1000/rate ms apart). Pure; the caller
 * passes the time.
 */
export class TokenBucket {
  private tokens: number;
  private lastMs: number | null = null;
  readonly ratePerSec: number;
  readonly burst: number;

  constructor(ratePerSec: number, burst = 1) {
    if (!(ratePerSec > 0) || !(burst >= 1)) throw new RangeError('rate must be > 0 and burst >= 1');
    this.ratePerSec = ratePerSec;
    this.burst = burst;
    this.tokens = burst;
  }

  private refill(nowMs: number): void {
    if (this.lastMs !== null && nowMs > this.lastMs) {
      this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.lastMs) * this.ratePerSec) / 1000);
    }
    if (this.lastMs === null || nowMs > this.lastMs) this.lastMs = nowMs;
  }

  /** Takes one token when there is one. */
  tryTake(nowMs: number): boolean {
    this.refill(nowMs);
    if (this.tokens >= 1 - 1e-9) {
      this.tokens = Math.max(0, this.tokens - 1);
      return true;
    }
    return false;
  }

  /** Milliseconds until a token is available (0 when one is). */
  waitMs(nowMs: number): number {
    this.refill(nowMs);
    if (this.tokens >= 1 - 1e-9) return 0;
    return Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSec);
  }
}
