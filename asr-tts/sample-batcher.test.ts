import { describe, expect, it } from 'vitest';
import { SampleBatcher } from './sample-batcher.ts';

describe('SampleBatcher', () => {
  it('returns one concatenated batch once batchMs of audio is in, in order', () => {
    const b = new SampleBatcher(60);
    expect(b.push(Int16Array.from([1, 2]), 100)).toBeNull(); // 20 ms at 100 Hz
    expect(b.push(Int16Array.from([3, 4]), 100)).toBeNull();
    expect(b.push(Int16Array.from([5, 6]), 100)).toEqual(Int16Array.from([1, 2, 3, 4, 5, 6]));
    expect(b.take()).toBeNull();
  });

  it('take() empties a partial batch early', () => {
    const b = new SampleBatcher(100);
    b.push(Int16Array.from([7]), 8000);
    expect(b.take()).toEqual(Int16Array.from([7]));
    expect(b.take()).toBeNull();
  });
});
