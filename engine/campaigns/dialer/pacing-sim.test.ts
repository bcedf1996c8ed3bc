import { describe, expect, it } from 'vitest';
import { simulatePacing } from './pacing-sim.ts';

describe('pacing simulation (docs/campaigns.md call mix)', () => {
  it('progressive: about 0.63 occupancy and nobody abandoned', () => {
    const r = simulatePacing({ agents: 20, contacts: 4000, pacing: { mode: 'progressive' } });
    expect(r.abandoned).toBe(0);
    expect(r.occupancy).toBeGreaterThan(0.55);
    expect(r.occupancy).toBeLessThan(0.7);
  });

  it.each([10, 20, 50])(
    'predictive with the governor keeps abandon at or under 3 percent with %i agents, above progressive',
    (agents) => {
      for (const seed of [1, 2]) {
        const pred = simulatePacing({ agents, contacts: 5000, seed, pacing: { mode: 'predictive' } });
        const prog = simulatePacing({ agents, contacts: 5000, seed, pacing: { mode: 'progressive' } });
        expect(pred.abandonRate).toBeLessThanOrEqual(0.03);
        expect(pred.occupancy).toBeGreaterThan(prog.occupancy);
      }
    },
  );

  it('without the governor (a fixed high level) small teams abandon far more than 3%', () => {
    // dropTarget 1: the governor never intervenes, so the level climbs to the maximum.
    const r = simulatePacing({ agents: 10, contacts: 4000, pacing: { mode: 'predictive', dropTarget: 1 } });
    expect(r.abandonRate).toBeGreaterThan(0.05);
  });
});
