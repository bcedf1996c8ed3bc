/**
 * A circuit breaker per remote speech service. Closed: requests flow and consecutive failures are
 * counted; at `failureThreshold` it opens. Open: requests are refused (SPEECH_CIRCUIT_OPEN) until
 * `openMs` has passed, then it is half-open. Half-open: up to `halfOpenMaxCalls` trial requests
 * go through; a success closes it, a failure opens it again. Time comes from an injected clock.
 */
import type { Clock } from '../../engine/clock.ts';
import { systemClock } from '../../engine/clock.ts';
import { VoicebotError } from '../../engine/errors.ts';
import type { Metrics } from '../../engine/metrics/metrics.ts';

export type BreakerState = 'closed' | 'open' | 'half-open';

const STATE_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

export interface CircuitBreakerOptions {
  name: string;
  failureThreshold?: number;
  openMs?: number;
  halfOpenMaxCalls?: number;
  clock?: Clock;
  metrics?: Metrics;
  onStateChange?: (state: BreakerState, previous: BreakerState) => void;
}

export class CircuitBreaker {
  readonly name: string;
  private current: BreakerState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private trials = 0;
  private readonly threshold: number;
  private readonly openMs: number;
  private readonly halfOpenMax: number;
  private readonly clock: Clock;

  constructor(private readonly options: CircuitBreakerOptions) {
    this.name = options.name;
    this.threshold = options.failureThreshold ?? 3;
    this.openMs = options.openMs ?? 10_000;
    this.halfOpenMax = options.halfOpenMaxCalls ?? 1;
    this.clock = options.clock ?? systemClock;
    options.metrics?.speechBreakerState.set({ breaker: this.name }, 0);
  }

  /** The state now (an open breaker whose cool-down passed reads as half-open). */
  get state(): BreakerState {
    if (this.current === 'open' && this.clock.now() - this.openedAt >= this.openMs)
      this.transition('half-open');
    return this.current;
  }

  /** True when a request may go to the service now; counts a half-open trial. */
  tryAcquire(): boolean {
    const s = this.state;
    if (s === 'closed') return true;
    if (s === 'half-open' && this.trials < this.halfOpenMax) {
      this.trials++;
      return true;
    }
    return false;
  }

  /** Like tryAcquire, but throws SPEECH_CIRCUIT_OPEN when refused. */
  acquire(): void {
    if (this.tryAcquire()) return;
    const retryInMs = Math.max(0, this.openMs - (this.clock.now() - this.openedAt));
    throw new VoicebotError('SPEECH_CIRCUIT_OPEN', `${this.name}: circuit open after repeated failures`, {
      breaker: this.name,
      retryInMs,
    });
  }

  onSuccess(): void {
    this.failures = 0;
    if (this.current !== 'closed') this.transition('closed');
  }

  onFailure(): void {
    const s = this.state;
    if (s === 'half-open') {
      this.open();
      return;
    }
    this.failures++;
    if (s === 'closed' && this.failures >= this.threshold) this.open();
  }

  private open(): void {
    this.openedAt = this.clock.now();
    this.transition('open');
  }

  private transition(next: BreakerState): void {
    const previous = this.current;
    if (previous === next && next !== 'open') return;
    this.current = next;
    this.trials = 0;
    if (next === 'closed') this.failures = 0;
    const m = this.options.metrics;
    m?.speechBreakerState.set({ breaker: this.name }, STATE_VALUE[next]);
    m?.speechBreakerTransitions.inc({ breaker: this.name, state: next });
    this.options.onStateChange?.(next, previous);
  }
}
