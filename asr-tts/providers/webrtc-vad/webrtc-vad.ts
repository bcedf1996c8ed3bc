/**
 * A trained VAD: the WebRTC voice activity detector (libfvad, GMM on sub-band energies),
 * compiled to WASM in the npm package @echogarden/fvad-wasm (no native code, no model file).
 * Frames of any length are cut into 10 ms blocks; the per-block decisions are smoothed:
 * speech starts after `minSpeechMs` of consecutive voiced blocks and ends after `hangoverMs` of
 * consecutive unvoiced ones. Events carry the media time of the boundary itself (the first
 * voiced block, the first unvoiced block after speech), not the later moment it was decided.
 *
 * The WASM module loads asynchronously once per process: create instances with
 * `await WebRtcVad.create()`. Each instance holds a little WASM memory: call `close()` when the
 * call ends (a FinalizationRegistry frees forgotten ones).
 */
import FvadModule from '@echogarden/fvad-wasm';
import type { AudioFrame, SampleRate } from '../../../engine/audio/frame.ts';
import { VoicebotError } from '../../../engine/errors.ts';
import type { Vad, VadEvent } from '../../vad.ts';

interface FvadWasm {
  _fvad_new(): number;
  _fvad_free(h: number): void;
  _fvad_reset(h: number): void;
  _fvad_set_mode(h: number, mode: number): number;
  _fvad_set_sample_rate(h: number, rate: number): number;
  _fvad_process(h: number, ptr: number, n: number): number;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  HEAP16: Int16Array;
}

export interface WebRtcVadOptions {
  /** 0 (least aggressive: more speech) .. 3 (most aggressive: less noise let through). Default 2. */
  mode?: 0 | 1 | 2 | 3;
  /** Voiced time needed before speech_start. Default 120 ms (fvad alone holds a 30 ms click for 100 ms). */
  minSpeechMs?: number;
  /** Unvoiced time needed before speech_end. Default 500 ms. */
  hangoverMs?: number;
  /**
   * Corner of a first-order high-pass applied before the detector; 0 turns it off. Default
   * 200 Hz: WebRTC VAD takes low-frequency rumble (brown noise, traffic) for speech.
   */
  highPassHz?: number;
}

const BLOCK_MS = 10;
let modulePromise: Promise<FvadWasm> | undefined;
const registry = new FinalizationRegistry<{ m: FvadWasm; handle: number; ptr: number }>(
  ({ m, handle, ptr }) => {
    m._fvad_free(handle);
    m._free(ptr);
  },
);

export class WebRtcVad implements Vad {
  readonly name = 'webrtc-vad';
  readonly #m: FvadWasm;
  readonly #handle: number;
  readonly #ptr: number;
  readonly #minSpeechBlocks: number;
  readonly #hangoverBlocks: number;
  readonly #mode: number;
  #rate: SampleRate | 0 = 0;
  #buf = new Int16Array(160);
  #fill = 0;
  #bufStartMs = 0;
  #speaking = false;
  #run = 0;
  #runStartMs = 0;
  #closed = false;
  readonly #highPassHz: number;
  #hpPole = 0;
  #hpX = 0;
  #hpY = 0;

  static async create(opts: WebRtcVadOptions = {}): Promise<WebRtcVad> {
    modulePromise ??= FvadModule() as Promise<FvadWasm>;
    return new WebRtcVad(await modulePromise, opts);
  }

  private constructor(m: FvadWasm, opts: WebRtcVadOptions) {
    const mode = opts.mode ?? 2;
    if (![0, 1, 2, 3].includes(mode)) {
      throw new VoicebotError('CONFIG_INVALID', `webrtc-vad: mode ${mode} is not 0, 1, 2 or 3`, { mode });
    }
    this.#m = m;
    this.#mode = mode;
    this.#handle = m._fvad_new();
    this.#ptr = m._malloc(this.#buf.length * 2);
    m._fvad_set_mode(this.#handle, mode);
    this.#minSpeechBlocks = Math.max(1, Math.round((opts.minSpeechMs ?? 120) / BLOCK_MS));
    this.#hangoverBlocks = Math.max(1, Math.round((opts.hangoverMs ?? 500) / BLOCK_MS));
    this.#highPassHz = opts.highPassHz ?? 200;
    registry.register(this, { m, handle: this.#handle, ptr: this.#ptr }, this);
  }

  get speaking(): boolean {
    return this.#speaking;
  }

  process(frame: AudioFrame): VadEvent[] {
    if (this.#closed) throw new VoicebotError('INTERNAL', 'webrtc-vad: process() after close()');
    if (frame.sampleRate !== 8000 && frame.sampleRate !== 16000) {
      throw new VoicebotError(
        'AUDIO_BAD_RATE',
        `webrtc-vad: frame at ${frame.sampleRate} Hz (use 8000 or 16000)`,
        {
          sampleRate: frame.sampleRate,
        },
      );
    }
    if (frame.sampleRate !== this.#rate) {
      this.#m._fvad_set_sample_rate(this.#handle, frame.sampleRate);
      this.#rate = frame.sampleRate;
      this.#hpPole =
        this.#highPassHz > 0 ? Math.exp((-2 * Math.PI * this.#highPassHz) / frame.sampleRate) : 0;
      this.#fill = 0;
    }
    const block = (frame.sampleRate * BLOCK_MS) / 1000;
    const events: VadEvent[] = [];
    const samples = frame.samples;
    if (this.#fill === 0) this.#bufStartMs = frame.timestampMs;
    for (let i = 0; i < samples.length; ) {
      const take = Math.min(block - this.#fill, samples.length - i);
      this.#buf.set(samples.subarray(i, i + take), this.#fill);
      this.#fill += take;
      i += take;
      if (this.#fill === block) {
        this.#block(block, events);
        this.#fill = 0;
        this.#bufStartMs = frame.timestampMs + (i * 1000) / frame.sampleRate;
      }
    }
    return events;
  }

  reset(): void {
    this.#m._fvad_reset(this.#handle);
    this.#m._fvad_set_mode(this.#handle, this.#mode);
    this.#rate = 0;
    this.#fill = 0;
    this.#hpX = 0;
    this.#hpY = 0;
    this.#speaking = false;
    this.#run = 0;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    registry.unregister(this);
    this.#m._fvad_free(this.#handle);
    this.#m._free(this.#ptr);
  }

  #block(n: number, events: VadEvent[]): void {
    const block = this.#buf.subarray(0, n);
    if (this.#highPassHz > 0) {
      // y[i] = a * (y[i-1] + x[i] - x[i-1]): first-order high-pass, state kept across blocks.
      const a = this.#hpPole;
      for (let i = 0; i < n; i++) {
        const x = block[i]!;
        this.#hpY = a * (this.#hpY + x - this.#hpX);
        this.#hpX = x;
        block[i] = Math.max(-32768, Math.min(32767, Math.round(this.#hpY)));
      }
    }
    this.#m.HEAP16.set(block, this.#ptr >> 1);
    const voiced = this.#m._fvad_process(this.#handle, this.#ptr, n) === 1;
    const atMs = this.#bufStartMs;
    // A run counts blocks that disagree with the current state.
    if (voiced !== this.#speaking) {
      if (this.#run === 0) this.#runStartMs = atMs;
      this.#run++;
      const needed = this.#speaking ? this.#hangoverBlocks : this.#minSpeechBlocks;
      if (this.#run >= needed) {
        this.#speaking = voiced;
        this.#run = 0;
        events.push({ type: voiced ? 'vad.speech_start' : 'vad.speech_end', atMs: this.#runStartMs });
      }
    } else {
      this.#run = 0;
    }
  }
}
