import { describe, expect, it } from 'vitest';
import { SampleSlab } from './sample-slab.ts';

describe('SampleSlab', () => {
  it('hands out zeroed, disjoint frames of the asked length', () => {
    const slab = new SampleSlab(1024);
    const a = slab.take(160);
    const b = slab.take(160);
    expect(a.length).toBe(160);
    expect([...a].every((v) => v === 0)).toBe(true);
    a.fill(7);
    expect([...b].every((v) => v === 0)).toBe(true);
    expect(b.byteOffset).toBe(a.byteOffset + 320);
  });

  it('starts a new slab when the current one is full and never reuses a frame', () => {
    const slab = new SampleSlab(1024);
    const frames = Array.from({ length: 20 }, (_, i) => slab.take(160).fill(i + 1));
    for (const [i, f] of frames.entries()) expect([...f].every((v) => v === i + 1)).toBe(true);
    expect(new Set(frames.map((f) => f.buffer)).size).toBeGreaterThan(1);
  });

  it('gives large requests their own array', () => {
    const slab = new SampleSlab(1024);
    const big = slab.take(800);
    expect(big.length).toBe(800);
    expect(big.buffer.byteLength).toBe(1600);
  });
});
