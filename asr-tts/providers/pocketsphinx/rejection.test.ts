import { describe, expect, it } from 'vitest';
import { DEFAULT_REJECT_BELOW, grammarConfidence, isRejected, LLR_MIDPOINT, LLR_SCALE } from './rejection.ts';

describe('grammar confidence from the phone-loop llr', () => {
  it('is 0.5 at the midpoint and rises with the llr, within 0..1', () => {
    expect(grammarConfidence(LLR_MIDPOINT)).toBe(0.5);
    const xs = [-50, -5, -2, -1, -0.5, 0, 0.5, 2, 50].map((d) =>
      grammarConfidence(LLR_MIDPOINT + d * LLR_SCALE),
    );
    for (let i = 1; i < xs.length; i++) expect(xs[i]!).toBeGreaterThanOrEqual(xs[i - 1]!);
    expect(xs[0]).toBe(0);
    expect(xs.at(-1)).toBe(1);
    expect(grammarConfidence(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(grammarConfidence(Number.POSITIVE_INFINITY)).toBe(1);
  });

  it('rejects under the threshold only; 0 rejects nothing', () => {
    expect(isRejected(grammarConfidence(LLR_MIDPOINT - 4 * LLR_SCALE), DEFAULT_REJECT_BELOW)).toBe(true);
    expect(isRejected(grammarConfidence(LLR_MIDPOINT + 4 * LLR_SCALE), DEFAULT_REJECT_BELOW)).toBe(false);
    expect(isRejected(0, 0)).toBe(false);
  });
});
