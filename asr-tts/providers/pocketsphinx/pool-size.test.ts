import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { defaultWorkers, poolSize } from './pool-size.ts';

describe('pocketsphinx pool size', () => {
  it('gives one worker per call, at most one per core', () => {
    expect(poolSize(2, 6)).toBe(2);
    expect(poolSize(8, 6)).toBe(6);
    expect(poolSize(8, 1)).toBe(1);
  });

  it('gives one per core when the number of calls is not known', () => {
    expect(poolSize(4)).toBe(4);
    expect(defaultWorkers()).toBe(availableParallelism());
  });

  it('never gives less than one worker', () => {
    expect(poolSize(0, 6)).toBe(1);
    expect(poolSize(4, 0)).toBe(1);
  });
});
