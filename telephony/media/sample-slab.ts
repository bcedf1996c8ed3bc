/**
 * Int16Array frames carved from shared slabs. `new Int16Array(160)` gets its own off-heap
 * backing store (~0.7 µs and GC pressure, once per frame per call each way); a view on a slab
 * costs a tenth of that. Each frame handed out is its holder's for good (slabs are never reused,
 * only dropped by GC once no frame on them is left), so a listener may keep a frame. The price:
 * a frame kept alone keeps its whole slab (16 KiB) alive.
 */
export class SampleSlab {
  private slab: Int16Array<ArrayBuffer>;
  private offset = 0;

  constructor(readonly slabSamples = 8192) {
    this.slab = new Int16Array(slabSamples);
  }

  /** A zero-filled frame of `length` samples (its own array when it is a large share of a slab). */
  take(length: number): Int16Array<ArrayBuffer> {
    if (length * 4 > this.slabSamples) return new Int16Array(length);
    if (this.offset + length > this.slabSamples) {
      this.slab = new Int16Array(this.slabSamples);
      this.offset = 0;
    }
    const frame = this.slab.subarray(this.offset, this.offset + length);
    this.offset += length;
    return frame;
  }
}

/** One slab for all calls (the event loop hands out frames one at a time). */
export const frameSlab = new SampleSlab();
