import { describe, expect, it } from 'vitest';
import { Pacer, type Timers } from './pacer.ts';

/** Manual time: timers fire only when the test advances the clock. */
function manualTime() {
  let now = 0;
  let pending: { at: number; fn: () => void } | null = null;
  let wakeUps = 0;
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
    /** How many times a timer has fired so far. */
    wakeUps: () => wakeUps,
    /** Advance to `to`, waking up `wakeDelayMs` after each timer is due (a slow event loop). */
    advance(to: number, wakeDelayMs = 0) {
      while (pending && pending.at + wakeDelayMs <= to) {
        const p: { at: number; fn: () => void } = pending;
        pending = null;
        now = p.at + wakeDelayMs;
        wakeUps++;
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

describe('Pacer: sinks on their own grid', () => {
  it('a sink added with its last tick time keeps its own grid on a busy pacer', () => {
    const t = manualTime();
    const pacer = new Pacer({ clock: t.clock, timers: t.timers });
    const shared: number[] = [];
    const own: number[] = [];
    pacer.add({ onTick: () => shared.push(t.clock.now()) }); // shared grid: 20, 40, 60 ...
    t.advance(7);
    const sink = { onTick: (slotAt: number) => own.push(slotAt) };
    pacer.add(sink, 7); // it sent a frame itself at 7
    t.advance(70);
    expect(own).toEqual([27, 47, 67]);
    expect(shared).toEqual([20, 40, 60]);
    // Drained at 67, more to send at 72: the next tick is still on its grid (87), not at once.
    pacer.remove(sink);
    t.advance(72);
    pacer.add(sink, own.at(-1));
    t.advance(110);
    expect(own).toEqual([27, 47, 67, 87, 107]);
  });

  it('never ticks a sink before its slot, also when catching up after a stall', () => {
    const t = manualTime();
    const pacer = new Pacer({ clock: t.clock, timers: t.timers, maxCatchUpFrames: 3 });
    const at: number[] = [];
    pacer.add({ onTick: () => at.push(t.clock.now()) }, 3);
    t.advance(43);
    t.advance(200, 90); // the event loop was blocked for 90 ms
    t.advance(400);
    // The k-th tick never comes before 3 + 20 (k + 1): no burst beyond what real time allows.
    at.forEach((ms, k) => {
      expect(ms).toBeGreaterThanOrEqual(3 + 20 * (k + 1));
    });
    expect(at.slice(0, 2)).toEqual([23, 43]);
    for (let k = 1; k < at.length; k++) {
      if (at[k] !== at[k - 1]) expect(at[k]! - at[k - 1]!).toBeGreaterThanOrEqual(20);
    }
  });

  it('wakes once per slot for sinks on the shared grid, once per own grid otherwise', () => {
    const t = manualTime();
    const pacer = new Pacer({ clock: t.clock, timers: t.timers });
    for (let i = 0; i < 10; i++) pacer.add({ onTick: () => {} });
    t.advance(1000);
    expect(t.wakeUps()).toBe(50);
    pacer.add({ onTick: () => {} }, 1005);
    t.advance(2000);
    // Shared grid 1020 ... 2000 (50 wake-ups), the own grid 1025 ... 1985 (49).
    expect(t.wakeUps()).toBe(50 + 50 + 49);
  });
});

describe('Pacer: own grids are shared', () => {
  it('sinks whose grids start in the same whole millisecond share a wake-up', () => {
    const t = manualTime();
    const pacer = new Pacer({ clock: t.clock, timers: t.timers });
    const at: number[][] = [];
    for (let i = 0; i < 200; i++) {
      const mine: number[] = [];
      at.push(mine);
      pacer.add({ onTick: () => mine.push(t.clock.now()) }, (i * 0.37) % 20);
    }
    t.advance(1000);
    // 200 sinks, 20 whole-millisecond phases: 20 wake-ups per 20 ms, not 200.
    expect(t.wakeUps()).toBeLessThanOrEqual(20 * 50);
    at.forEach((ticks, i) => {
      const last = (i * 0.37) % 20;
      expect(ticks[0]).toBeGreaterThanOrEqual(last + 20); // never early ...
      expect(ticks[0]).toBeLessThan(last + 21); // ... and less than a millisecond late
      for (let k = 1; k < ticks.length; k++) expect(ticks[k]! - ticks[k - 1]!).toBe(20);
    });
  });
});
