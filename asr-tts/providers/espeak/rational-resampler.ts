/**
 * Streaming sample-rate conversion by any rational ratio (here espeak-ng's 22050 Hz to 8 or
 * 16 kHz) with a Blackman-windowed sinc, low-pass at 90 % of the lower Nyquist frequency.
 * Zero phase: output sample n is the signal at input time n * in / out, so there is no delay
 * to compensate; `flush()` returns the last samples (it needs `halfWidth` of look-ahead).
 * Filters for every output phase are built once per instance. Pure; no I/O.
 */
function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

export class RationalResampler {
  readonly inRate: number;
  readonly outRate: number;
  readonly #up: number;
  readonly #down: number;
  /** Taps either side of the centre, in input samples. */
  readonly #half: number;
  /** #phases[p][j]: weight of input (base - half + 1 + j) for an output at phase p. */
  readonly #phases: Float32Array[];
  #buf = new Float32Array(0);
  /** Absolute input index of #buf[0]. */
  #bufStart = 0;
  #inCount = 0;
  /** Next output index. */
  #n = 0;

  constructor(inRate: number, outRate: number, zeroCrossings = 16) {
    const g = gcd(inRate, outRate);
    this.inRate = inRate;
    this.outRate = outRate;
    this.#up = outRate / g;
    this.#down = inRate / g;
    // Low-pass at 0.9 x the lower Nyquist frequency, as 2 fc / fs_in (sinc argument per input sample).
    const cutoff = (0.9 * Math.min(inRate, outRate)) / inRate;
    this.#half = Math.ceil(zeroCrossings / cutoff);
    this.#phases = [];
    for (let p = 0; p < this.#up; p++) {
      const frac = p / this.#up;
      const taps = new Float32Array(2 * this.#half);
      let sum = 0;
      for (let j = 0; j < taps.length; j++) {
        const x = j - this.#half + 1 - frac; // distance from the output time, in input samples
        const arg = cutoff * x;
        const sinc = arg === 0 ? 1 : Math.sin(Math.PI * arg) / (Math.PI * arg);
        const w = x / this.#half; // -1..1
        const blackman =
          Math.abs(w) >= 1 ? 0 : 0.42 + 0.5 * Math.cos(Math.PI * w) + 0.08 * Math.cos(2 * Math.PI * w);
        taps[j] = sinc * blackman;
        sum += taps[j]!;
      }
      for (let j = 0; j < taps.length; j++) taps[j]! /= sum;
      this.#phases.push(taps);
    }
  }

  process(samples: Int16Array): Int16Array {
    const grown = new Float32Array(this.#buf.length + samples.length);
    grown.set(this.#buf);
    for (let i = 0; i < samples.length; i++) grown[this.#buf.length + i] = samples[i]!;
    this.#buf = grown;
    this.#inCount += samples.length;
    return this.#drain(this.#inCount);
  }

  /** The remaining output, as if the input were followed by silence. The instance is done after it. */
  flush(): Int16Array {
    const total = Math.ceil((this.#inCount * this.#up) / this.#down);
    const out: number[] = [];
    while (this.#n < total) {
      const before = this.#n;
      const chunk = this.process(new Int16Array(this.#half + 1));
      for (let i = 0; i < chunk.length && before + i < total; i++) out.push(chunk[i]!);
    }
    return Int16Array.from(out);
  }

  #drain(available: number): Int16Array {
    const out: number[] = [];
    for (;;) {
      const pos = this.#n * this.#down;
      const base = Math.floor(pos / this.#up);
      const phase = pos - base * this.#up;
      const first = base - this.#half + 1;
      if (base + this.#half >= available) break;
      const taps = this.#phases[phase]!;
      let acc = 0;
      for (let j = 0; j < taps.length; j++) {
        const k = first + j - this.#bufStart;
        if (k >= 0) acc += taps[j]! * this.#buf[k]!;
      }
      out.push(acc > 32767 ? 32767 : acc < -32768 ? -32768 : Math.round(acc));
      this.#n++;
    }
    const keepFrom = Math.floor((this.#n * this.#down) / this.#up) - this.#half + 1 - this.#bufStart;
    if (keepFrom > 0) {
      const k = Math.min(keepFrom, this.#buf.length);
      this.#buf = this.#buf.slice(k);
      this.#bufStart += k;
    }
    return Int16Array.from(out);
  }
}
