/** A least-recently-used map bounded by the total bytes of its values. */
export class ByteLru {
  readonly maxBytes: number;
  #map = new Map<string, Int16Array>();
  #bytes = 0;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: string): Int16Array | undefined {
    const v = this.#map.get(key);
    if (v === undefined) return undefined;
    this.#map.delete(key);
    this.#map.set(key, v);
    return v;
  }

  /** Stores a value; one larger than the whole budget is not kept. Evicts the oldest as needed. */
  set(key: string, value: Int16Array): void {
    this.delete(key);
    if (value.byteLength > this.maxBytes) return;
    this.#map.set(key, value);
    this.#bytes += value.byteLength;
    for (const [k, v] of this.#map) {
      if (this.#bytes <= this.maxBytes) break;
      this.#map.delete(k);
      this.#bytes -= v.byteLength;
    }
  }

  delete(key: string): void {
    const v = this.#map.get(key);
    if (v === undefined) return;
    this.#map.delete(key);
    this.#bytes -= v.byteLength;
  }
}
