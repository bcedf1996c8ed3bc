import { describe, expect, it } from 'vitest';
import { Pacer, type Timers } from './pacer.ts';

/** Manual time: timers fire only when the test advances the clock. */
function manualTime() {
  let now = 0;
  let pending: { at: number; fn: () => void } | null = null;
  const timers: Timers = {
    setTimeout(fn, ms) {
      pending = { at: now + ms, fn };
      return pending;
    },
    clearTimeout(handle) {
      if (pending === handle) pending = null;
    },
  };
  return {
    clock: { now: () => now },
    timers,
    /** Advance to `to`, waking up `wakeDelayMs` after each timer is due (a slow event loop). */
    advance(to: number, wakeDelayMs = 0) {
      while (pending && pending.at + wakeDelayMs <= to) {
        const p: { at: number; fn: () => void } = pending;
        pending = null;
        now = p.at + wakeDelayMs;
        p.fn();
      }
      now = to;
    },
  };
}

describe('Pacer', () => {
  it('ticks every sink once per 20 ms slot', () => {
    const t = manualTime();
    const pacer = new Pacer({ clock: t.clock, timers: t.timers });
    const counts = [0, 0];
    pacer.add({ onTick: () => counts[0]!++ });
    pacer.add({ onTick: () => counts[1]!++ });
    t.advance(1000);
    expect(counts).toEqual([50, 50]);
  });

  it('does not drift when timers wake late', () => {
    const t = manualTime();
    const late: number[] = [];
    const pacer = new Pacer({ clock: t.clock, timers: t.timers, onLateness: (ms) => late.push(ms) });
    let ticks = 0;
    pacer.add({ onTick: () => ticks++ });
    t.advance(10_003, 3); // every wake-up is 3 ms late
    expect(ticks).toBe(500);
    expect(Math.max(...late)).toBeLessThanOrEqual(3);
  });

  it('after a stall, catches up at most maxCatchUpFrames, then re-anchors', () => {
    const t = manualTime();
    const pacer = new Pacer({ clock: t.clock, timers: t.timers, maxCatchUpFrames: 3 });
    const at: number[] = [];
    pacer.add({ onTick: () => at.push(t.clock.now()) });
    t.advance(20);
    expect(at).toEqual([20]);
    t.advance(520, 480); // the event loop was blocked for ~0.5 s: 25 slots are due
    expect(at.slice(1)).toEqual([520, 520, 520]);
    at.length = 0;
    t.advance(600); // re-anchored: one frame per 20 ms again, no burst of the 22 missed slots
    expect(at).toEqual([540, 560, 580, 600]);
  });

  it('one failing sink does not stop the others', () => {
    const t = manualTime();
    const pacer = new Pacer({ clock: t.clock, timers: t.timers });
    let ok = 0;
    pacer.add({
      onTick: () => {
        throw new Error('boom');
      },
    });
    pacer.add({ onTick: () => ok++ });
    t.advance(100);
    expect(ok).toBe(5);
  });

  it('stops its timer when the last sink leaves, restarts on add', () => {
    const t = manualTime();
    const pacer = new Pacer({ clock: t.clock, timers: t.timers });
    let ticks = 0;
    const sink = { onTick: () => ticks++ };
    pacer.add(sink);
    t.advance(40);
    pacer.remove(sink);
    t.advance(1000);
    expect(ticks).toBe(2);
    pacer.add(sink);
    t.advance(1040);
    expect(ticks).toBe(4);
  });
});
