import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isVoicebotError } from '../../../engine/errors.ts';
import { drawOutcome, loadPersonas, parsePersona, pickPersona } from './persona.ts';
import { rngFor } from './rng.ts';

const personas = loadPersonas(join(import.meta.dirname, '../../../fixtures/personas'));
const byName = (name: string) => personas.find((p) => p.name === name)!;

describe('personas', () => {
  it('loads every fixture persona', () => {
    expect(personas.map((p) => p.name)).toEqual(
      expect.arrayContaining([
        'cold-list',
        'human-yes',
        'hello-silence',
        'voicemail',
        'busy-line',
        'invalid-number',
        'ring-out',
        'decliner',
      ]),
    );
  });

  it('draws the same outcomes for the same seed and attempt ids, whatever the order', () => {
    const p = byName('cold-list');
    const ids = Array.from({ length: 200 }, (_, i) => `att-${i}`);
    const forward = ids.map((id) => drawOutcome(p, rngFor(42, id)));
    const backward = [...ids]
      .reverse()
      .map((id) => drawOutcome(p, rngFor(42, id)))
      .reverse();
    expect(backward).toEqual(forward);
    const other = ids.map((id) => drawOutcome(p, rngFor(43, id)));
    expect(other).not.toEqual(forward);
  });

  it("cold-list's rates come out close to its settings over 5000 calls", () => {
    const p = byName('cold-list');
    const counts: Record<string, number> = {};
    for (let i = 0; i < 5000; i++) {
      const o = drawOutcome(p, rngFor(1, `x${i}`));
      counts[o.kind] = (counts[o.kind] ?? 0) + 1;
      if (o.kind === 'human' || o.kind === 'machine') {
        expect(o.ringMs).toBeGreaterThanOrEqual(3000);
        expect(o.ringMs).toBeLessThanOrEqual(20_000);
      }
    }
    const rate = (k: string) => (counts[k] ?? 0) / 5000;
    expect(rate('invalid')).toBeCloseTo(0.03, 1);
    // of the valid, not busy numbers 45% answer, 35% of those are machines
    const ringing = 0.97 * 0.9;
    expect(rate('human')).toBeCloseTo(ringing * 0.45 * 0.65, 1);
    expect(rate('machine')).toBeCloseTo(ringing * 0.45 * 0.35, 1);
    expect(rate('busy')).toBeCloseTo(0.97 * 0.1, 1);
  });

  it('picks by weight (weight 0 only by name)', () => {
    for (let i = 0; i < 200; i++) expect(pickPersona(personas, rngFor(3, `p${i}`)).name).toBe('cold-list');
  });

  it('a bad persona gets a clear CARRIER_BAD_REQUEST naming the field', () => {
    const cases: [unknown, string][] = [
      [{ name: 'x', answerRate: 2, ringMs: { min: 0, max: 1 } }, 'answerRate'],
      [{ name: 'x', answerRate: 1, ringMs: { min: 5, max: 1 } }, 'ringMs'],
      [{ name: 'x', answerRate: 1, machineRate: 1, ringMs: { min: 0, max: 1 } }, 'voicemail'],
      [
        { name: 'x', answerRate: 1, ringMs: { min: 0, max: 1 }, human: { replies: [{ dtmf: 'x' }] } },
        'human.replies',
      ],
      [{ name: 'Bad Name', answerRate: 1, ringMs: { min: 0, max: 1 } }, 'name'],
    ];
    for (const [input, field] of cases) {
      let err: unknown;
      try {
        parsePersona(input, 'test.json');
      } catch (e) {
        err = e;
      }
      expect(isVoicebotError(err) && err.code, field).toBe('CARRIER_BAD_REQUEST');
      expect((err as Error).message).toContain(field);
      expect((err as Error).message).toContain('test.json');
    }
  });
});
