import { type Clock, systemClock } from '../../engine/clock.ts';

export type FloodVerdict = 'ok' | 'drop' | 'close';

export interface FloodGuardOptions {
  /** Sustained messages per second allowed. */
  ratePerS: number;
  /** Seconds of burst the bucket holds (default 2). */
  burstS?: number;
  /** Messages dropped in a row before the verdict becomes 'close' (default: one second's worth). */
  graceMessages?: number;
  clock?: Clock;
}

/**
 * Token bucket on messages per socket. Over the rate, messages are dropped; when the excess
 * lasts for more than `graceMessages` in a row the socket should be closed (1008).
 */
export class FloodGuard {
  private readonly rate: number;
  private readonly capacity: number;
  private readonly grace: number;
  private readonly clock: Clock;
  private tokens: number;
  private last: number;
  private overflow = 0;

  constructor(options: FloodGuardOptions) {
    this.rate = options.ratePerS;
    this.capacity = Math.max(1, options.ratePerS * (options.burstS ?? 2));
    this.grace = options.graceMessages ?? options.ratePerS;
    this.clock = options.clock ?? systemClock;
    this.tokens = this.capacity;
    this.last = this.clock.now();
  }

  check(): FloodVerdict {
    const now = this.clock.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.rate) / 1000);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      this.overflow = 0;
      return 'ok';
    }
    this.overflow++;
    return this.overflow > this.grace ? 'close' : 'drop';
  }
}
