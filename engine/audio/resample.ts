/**
 * 8 kHz <-> 16 kHz sample-rate conversion with a Kaiser-windowed half-band FIR (71 taps, about
 * 70 dB stopband from 4.5 kHz, flat to 3.5 kHz, linear phase). Pure and streaming: a
 * `Resampler` keeps the filter history across frames, so a stream cut into frames gives exactly
 * the samples the whole stream would, with no clicks at frame boundaries.
 *
 * A half-band filter has every other coefficient zero and a centre tap of 1/2, so:
 * - down (16k -> 8k): one output per two inputs, 36 non-zero taps folded into 18 multiplies;
 * - up (8k -> 16k): the odd output phase is the input itself (delayed), the even phase is an
 *   18-multiply interpolation.
 * The stream comes out 35 samples late at 16 kHz (2.1875 ms, up) or 17 samples late at 8 kHz
 * (2.125 ms, down); `delaySamples` / `delayMs` report it and `resample()` removes it.
 */
import { VoicebotError } from '../errors.ts';
import type { AudioFrame, SampleRate } from './frame.ts';
import { clamp16 } from './pcm.ts';

/** Half the filter length: taps = 2 * HALF_TAPS + 1. Odd, so the centre tap falls on the odd phase. */
const HALF_TAPS = 35;
const TAPS = 2 * HALF_TAPS + 1;
const KAISER_BETA = 6.8;

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 50; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** The full half-band prototype h[0..TAPS-1] (cutoff fs/4, unity DC gain). Exported for tests. */
export function halfBandTaps(): Float64Array {
  const h = new Float64Array(TAPS);
  const i0b = besselI0(KAISER_BETA);
  let sum = 0;
  for (let k = 0; k < TAPS; k++) {
    const n = k - HALF_TAPS;
    const sinc = n === 0 ? 0.5 : n % 2 === 0 ? 0 : Math.sin((Math.PI * n) / 2) / (Math.PI * n);
    const r = n / HALF_TAPS;
    h[k] = sinc * (besselI0(KAISER_BETA * Math.sqrt(1 - r * r)) / i0b);
    if (n !== 0) sum += h[k]!;
  }
  // Scale the side taps to sum to exactly 1/2 and keep the centre at exactly 1/2: unity DC gain,
  // and the up-sampler's odd phase is then the input itself.
  for (let k = 0; k < TAPS; k++) if (k !== HALF_TAPS) h[k]! *= 0.5 / sum;
  return h;
}

/**
 * Folded non-zero side taps: FOLDED[j] multiplies the two samples at distance 2j+1 either side of
 * the centre. The centre tap is exactly 0.5 after normalisation (DC gain 1).
 */
const FOLDED = (() => {
  const h = halfBandTaps();
  const f = new Float64Array((HALF_TAPS + 1) / 2);
  for (let j = 0; j < f.length; j++) f[j] = h[HALF_TAPS + 2 * j + 1]!;
  return f;
})();
const CENTRE = halfBandTaps()[HALF_TAPS]!;
const NF = FOLDED.length;

export interface ResamplerOptions {
  from: SampleRate;
  to: SampleRate;
}

/** Streaming converter between two of the engine's rates. One per direction per call. */
export class Resampler {
  readonly from: SampleRate;
  readonly to: SampleRate;
  /** Filter delay in output samples (0 when from === to). */
  readonly delaySamples: number;
  /** Filter delay in milliseconds. */
  readonly delayMs: number;
  /** History + current input, as numbers; history occupies the first `hist` slots. */
  private work: Float32Array;
  private readonly hist: number;
  /** Down only: parity of the next input sample's absolute index (outputs fall on odd ones). */
  private phase = 0;

  constructor({ from, to }: ResamplerOptions) {
    for (const [name, rate] of [
      ['from', from],
      ['to', to],
    ] as const) {
      if (rate !== 8000 && rate !== 16000) {
        throw new VoicebotError('AUDIO_BAD_RATE', `resampler ${name} rate ${rate} Hz is not supported`, {
          [name]: rate,
        });
      }
    }
    this.from = from;
    this.to = to;
    this.hist = from === 16000 ? TAPS - 1 : HALF_TAPS;
    this.work = new Float32Array(this.hist + 320);
    if (from === to) this.delaySamples = 0;
    else this.delaySamples = to === 16000 ? HALF_TAPS : (HALF_TAPS - 1) / 2;
    this.delayMs = (this.delaySamples * 1000) / to;
  }

  /** How many output samples `process` returns for `n` more input samples. */
  outputLength(n: number): number {
    if (this.from === this.to) return n;
    if (this.to === 16000) return 2 * n;
    return this.phase === 0 ? n >> 1 : (n + 1) >> 1;
  }

  /** Converts the next chunk of the stream (any length). Writes into `out` when given. */
  process(input: Int16Array, out?: Int16Array): Int16Array {
    const outLen = this.outputLength(input.length);
    const dst = out ?? new Int16Array(outLen);
    if (dst.length < outLen) {
      throw new VoicebotError('INTERNAL', `resampler output buffer holds ${dst.length}, needs ${outLen}`);
    }
    if (this.from === this.to) {
      dst.set(input);
      return dst;
    }
    const hist = this.hist;
    const need = hist + input.length;
    if (this.work.length < need) {
      const grown = new Float32Array(need * 2);
      grown.set(this.work.subarray(0, hist));
      this.work = grown;
    }
    const w = this.work;
    for (let i = 0; i < input.length; i++) w[hist + i] = input[i]!;
    if (this.to === 8000) this.down(w, input.length, dst);
    else this.up(w, input.length, dst);
    // Keep the last `hist` samples as history for the next chunk.
    w.copyWithin(0, input.length, need);
    return dst;
  }

  /** Converts one frame; the output frame keeps the input's timestamp (see `delayMs`). */
  processFrame(frame: AudioFrame): AudioFrame {
    if (frame.sampleRate !== this.from) {
      throw new VoicebotError(
        'AUDIO_BAD_RATE',
        `resampler expects ${this.from} Hz frames, got ${frame.sampleRate} Hz`,
        { expected: this.from, got: frame.sampleRate },
      );
    }
    return { samples: this.process(frame.samples), sampleRate: this.to, timestampMs: frame.timestampMs };
  }

  /** Pushes zeros through the filter to release the last `delay` worth of the stream. */
  flush(): Int16Array {
    if (this.from === this.to) return new Int16Array(0);
    const pad = this.from === 16000 ? HALF_TAPS + 1 : Math.ceil(HALF_TAPS / 2);
    return this.process(new Int16Array(pad));
  }

  reset(): void {
    this.work.fill(0);
    this.phase = 0;
  }

  /**
   * 16k -> 8k: an output at each odd absolute input index a, y = sum h[k] x[a - k], centred on the
   * even input a - HALF_TAPS; so output q is input 2q filtered, 17 output samples late.
   */
  private down(w: Float32Array, n: number, dst: Int16Array): void {
    const hist = this.hist;
    let o = 0;
    for (let i = this.phase === 0 ? 1 : 0; i < n; i += 2) {
      const c = hist + i - HALF_TAPS; // index of the centre sample in w
      let acc = CENTRE * w[c]!;
      for (let j = 0; j < NF; j++) acc += FOLDED[j]! * (w[c - 2 * j - 1]! + w[c + 2 * j + 1]!);
      dst[o++] = clamp16(acc);
    }
    this.phase = (this.phase + n) & 1;
  }

  /**
   * 8k -> 16k: zero-stuffed input filtered with gain 2. Per input sample i, two outputs: the
   * interpolated one (even phase) and the input delayed by (HALF_TAPS - 1) / 2 (odd phase).
   */
  private up(w: Float32Array, n: number, dst: Int16Array): void {
    const hist = this.hist;
    const half = (HALF_TAPS + 1) / 2; // 18: distance in input samples from the newest to the centre pair
    let o = 0;
    for (let i = 0; i < n; i++) {
      const newest = hist + i;
      // Even phase: 2 * sum over even k of h[k] x[i - k/2]; taps pair up around newest - HALF_TAPS/2.
      let acc = 0;
      for (let j = 0; j < NF; j++) acc += FOLDED[j]! * (w[newest - half + 1 + j]! + w[newest - half - j]!);
      dst[o++] = clamp16(2 * acc);
      dst[o++] = w[newest - (HALF_TAPS - 1) / 2]!;
    }
  }
}

/**
 * One-shot conversion of a whole signal, time-aligned: the filter delay is removed, so the
 * output has exactly `length * to / from` samples and sample i lines up with input time i.
 */
export function resample(samples: Int16Array, from: SampleRate, to: SampleRate): Int16Array {
  if (from === to) return samples.slice();
  const r = new Resampler({ from, to });
  const body = r.process(samples);
  const tail = r.flush();
  const all = new Int16Array(body.length + tail.length);
  all.set(body);
  all.set(tail, body.length);
  const want = to === 16000 ? samples.length * 2 : Math.ceil(samples.length / 2);
  const d = Math.floor(r.delaySamples);
  return all.slice(d, d + want);
}

/** Converts a frame to `to` with a fresh filter (for one-off frames; streams keep a Resampler). */
export function resampleFrame(frame: AudioFrame, to: SampleRate): AudioFrame {
  if (frame.sampleRate === to) return frame;
  return {
    samples: resample(frame.samples, frame.sampleRate, to),
    sampleRate: to,
    timestampMs: frame.timestampMs,
  };
}
