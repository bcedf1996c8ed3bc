import { describe, expect, it } from 'vitest';
import { Pacer } from './pacer.ts';

/** Adapts once with every agent idle (the level may only grow) and returns the new level. */
function adaptIdle(p: Pacer, atMs: number): number {
  p.sample(atMs - 15_000, { agents: 10, ready: 10, waiting: 0 });
  p.sample(atMs, { agents: 10, ready: 10, waiting: 0 });
  return p.level;
}

describe('Pacer abandon window', () => {
  it("counts this process's own answers and drops until the first sync", () => {
    const p = new Pacer({ mode: 'predictive' });
    for (let i = 0; i < 10; i++) p.recordHuman();
    p.recordDrop();
    expect(p.state()).toMatchObject({ humans: 10, drops: 1, dropRate: 0.1, local: { humans: 10, drops: 1 } });
  });

  it('after a sync: the store window plus only the calls not recorded yet', () => {
    const p = new Pacer({ mode: 'predictive' });
    for (let i = 0; i < 5; i++) p.recordHuman();
    p.recordDrop();
    // 4 of the 5 answers and the drop are in the store; other processes recorded 95 and 2.
    p.syncWindow({ liveAnswers: 99, abandoned: 3 }, { liveAnswers: 4, abandoned: 1 });
    expect(p.state()).toMatchObject({ humans: 100, drops: 3, dropRate: 0.03 });
    p.recordHuman();
    p.recordDrop();
    expect(p.state()).toMatchObject({ humans: 101, drops: 4 });
    // Old results left the window: only what the store says now counts.
    p.syncWindow({ liveAnswers: 2, abandoned: 0 }, { liveAnswers: 6, abandoned: 2 });
    expect(p.state()).toMatchObject({ humans: 2, drops: 0, dropRate: 0, local: { humans: 6, drops: 2 } });
  });

  it('never counts below the store when it says more of ours than we saw (another rule, a reused id)', () => {
    const p = new Pacer({ mode: 'predictive' });
    p.recordHuman();
    p.syncWindow({ liveAnswers: 10, abandoned: 1 }, { liveAnswers: 3, abandoned: 1 });
    expect(p.state()).toMatchObject({ humans: 10, drops: 1 });
  });

  it('the governor acts on the window rate, not on what this process saw since it started', () => {
    const fresh = new Pacer({ mode: 'predictive', maxLevel: 3 });
    // A fresh process with no history is held by the pessimistic prior; synced with a long
    // clean window it may raise the level at once.
    const clean = new Pacer({ mode: 'predictive', maxLevel: 3 });
    clean.syncWindow({ liveAnswers: 2000, abandoned: 0 }, { liveAnswers: 0, abandoned: 0 });
    expect(adaptIdle(fresh, 15_000)).toBe(1);
    expect(adaptIdle(clean, 15_000)).toBeGreaterThan(1.2);
    // The window goes over the target (other processes dropped people): back to 1 line per agent.
    clean.syncWindow({ liveAnswers: 2000, abandoned: 70 }, { liveAnswers: 0, abandoned: 0 });
    expect(adaptIdle(clean, 30_000)).toBe(1);
    // Those drops leave the window: it may grow again.
    clean.syncWindow({ liveAnswers: 1500, abandoned: 0 }, { liveAnswers: 0, abandoned: 0 });
    expect(adaptIdle(clean, 45_000)).toBeGreaterThan(1.2);
  });
});
