import { describe, expect, it } from 'vitest';
import { isVoicebotError } from '../../engine/errors.ts';
import { Metrics } from '../../engine/metrics/metrics.ts';
import { type BreakerState, CircuitBreaker } from './circuit-breaker.ts';

function manualClock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('CircuitBreaker', () => {
  it('opens after the threshold of consecutive failures, half-opens after the cool-down, closes on a trial success', async () => {
    const clock = manualClock();
    const metrics = new Metrics();
    const changes: BreakerState[] = [];
    const b = new CircuitBreaker({
      name: 'riva',
      failureThreshold: 3,
      openMs: 1000,
      clock,
      metrics,
      onStateChange: (s) => changes.push(s),
    });
    expect(b.tryAcquire()).toBe(true);
    b.onFailure();
    b.onFailure();
    b.onSuccess(); // a success resets the count
    b.onFailure();
    b.onFailure();
    expect(b.state).toBe('closed');
    b.onFailure();
    expect(b.state).toBe('open');
    expect(b.tryAcquire()).toBe(false);
    let err: unknown;
    try {
      b.acquire();
    } catch (e) {
      err = e;
    }
    expect(isVoicebotError(err) && err.code).toBe('SPEECH_CIRCUIT_OPEN');
    expect(isVoicebotError(err) && err.details.retryInMs).toBe(1000);
    clock.advance(999);
    expect(b.state).toBe('open');
    clock.advance(1);
    expect(b.state).toBe('half-open');
    expect(b.tryAcquire()).toBe(true); // one trial
    expect(b.tryAcquire()).toBe(false); // the second waits for the trial's outcome
    b.onSuccess();
    expect(b.state).toBe('closed');
    expect(changes).toEqual(['open', 'half-open', 'closed']);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/voicebot_speech_breaker_state_info\{breaker="riva"\} 0/);
    expect(text).toMatch(/voicebot_speech_breaker_transitions_total\{breaker="riva",state="open"\} 1/);
  });

  it('a failed half-open trial opens it again for a full cool-down', () => {
    const clock = manualClock();
    const b = new CircuitBreaker({ name: 'x', failureThreshold: 1, openMs: 500, clock });
    b.onFailure();
    clock.advance(500);
    expect(b.tryAcquire()).toBe(true);
    b.onFailure();
    expect(b.state).toBe('open');
    clock.advance(499);
    expect(b.tryAcquire()).toBe(false);
    clock.advance(1);
    expect(b.state).toBe('half-open');
  });
});
