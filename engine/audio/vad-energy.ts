/**
 * Energy voice-activity detector with an adaptive noise floor and hangover. Pure and
 * allocation-free per frame (events aside); works on frames of any length at 8 or 16 kHz.
 *
 * - Level: RMS of each frame in dBFS after a first-order 200 Hz high-pass, which removes DC and
 *   the rumble that dominates pink/brown noise and makes its frame level jumpy.
 * - Noise floor: the quietest frame level over the last `floorWindowMs` (minimum statistics,
 *   kept as 100 ms sub-window minima). Speech has pauses, so the floor stays on the background
 *   while someone talks, and follows a background that changes (a steady new noise is taken for
 *   speech for at most about `floorWindowMs` + `hangoverMs`).
 * - Start: frames louder than floor + `startDb` (and than `minLevelDbfs`) for `minSpeechMs` in a
 *   row; `vad.speech_start.atMs` is the first of those frames (the onset), reported once the
 *   run is long enough (so the report lags the onset by about `minSpeechMs`).
 * - End: no frame louder than floor + `continueDb` for `hangoverMs`; `vad.speech_end.atMs` is
 *   the end of the last such frame.
 */
import type { Vad, VadEvent } from '../../asr-tts/vad.ts';
import { VoicebotError } from '../errors.ts';
import type { AudioFrame } from './frame.ts';
import { SILENCE_DBFS } from './pcm.ts';

export interface EnergyVadOptions {
  /** dB above the noise floor that counts as speech onset. Default 9. */
  startDb?: number;
  /** dB above the noise floor that keeps speech going (hysteresis, <= startDb). Default 6. */
  continueDb?: number;
  /** Loud frames in a row needed to declare speech. Default 60 ms. */
  minSpeechMs?: number;
  /** Quiet time that ends speech. Default 500 ms (300-800 typical). */
  hangoverMs?: number;
  /** Frames quieter than this are never speech, whatever the floor. Default -55 dBFS. */
  minLevelDbfs?: number;
  /** Window of the noise-floor minimum. Default 1500 ms. */
  floorWindowMs?: number;
}

const NO_EVENTS: VadEvent[] = [];
Object.freeze(NO_EVENTS);
const SUB_WINDOW_MS = 100;
const HP_HZ = 200;
const HP_POLE_8K = Math.exp((-2 * Math.PI * HP_HZ) / 8000);
const HP_POLE_16K = Math.exp((-2 * Math.PI * HP_HZ) / 16000);

export class EnergyVad implements Vad {
  readonly name = 'energy';
  private readonly startDb: number;
  private readonly continueDb: number;
  private readonly minSpeechMs: number;
  private readonly hangoverMs: number;
  private readonly minLevelDbfs: number;
  /** Minima of the last completed sub-windows (ring), and of the current one. */
  private readonly subMins: Float64Array;
  private subCount = 0;
  private subNext = 0;
  private subMin = Number.POSITIVE_INFINITY;
  private subMs = 0;

  private hpX = 0;
  private hpY = 0;
  private floor = Number.NaN;
  private level = Number.NaN;
  private isSpeaking = false;
  /** Start of the current run of loud frames (not yet speech), and its length. */
  private runStartMs = 0;
  private runMs = 0;
  /** While speaking: end of the last voiced frame, and quiet time since. */
  private lastVoiceEndMs = 0;
  private quietMs = 0;

  constructor(options: EnergyVadOptions = {}) {
    this.startDb = options.startDb ?? 9;
    this.continueDb = options.continueDb ?? 6;
    this.minSpeechMs = options.minSpeechMs ?? 60;
    this.hangoverMs = options.hangoverMs ?? 500;
    this.minLevelDbfs = options.minLevelDbfs ?? -55;
    const windowMs = options.floorWindowMs ?? 1500;
    if (!(windowMs >= SUB_WINDOW_MS)) {
      throw new VoicebotError('CONFIG_INVALID', `VAD floorWindowMs must be >= ${SUB_WINDOW_MS}`, {
        windowMs,
      });
    }
    this.subMins = new Float64Array(Math.round(windowMs / SUB_WINDOW_MS));
    if (!(this.continueDb <= this.startDb && this.continueDb > 0)) {
      throw new VoicebotError('CONFIG_INVALID', 'VAD continueDb must be > 0 and <= startDb', {
        startDb: this.startDb,
        continueDb: this.continueDb,
      });
    }
    if (!(this.minSpeechMs >= 0 && this.hangoverMs >= 0)) {
      throw new VoicebotError('CONFIG_INVALID', 'VAD minSpeechMs and hangoverMs must be >= 0', {
        minSpeechMs: this.minSpeechMs,
        hangoverMs: this.hangoverMs,
      });
    }
  }

  get speaking(): boolean {
    return this.isSpeaking;
  }

  /** Level of the last frame, dBFS. */
  get levelDbfs(): number {
    return this.level;
  }

  /** Current noise-floor estimate, dBFS. */
  get noiseFloorDbfs(): number {
    return this.floor;
  }

  process(frame: AudioFrame): VadEvent[] {
    if (frame.sampleRate !== 8000 && frame.sampleRate !== 16000) {
      throw new VoicebotError('AUDIO_BAD_RATE', `VAD got a ${frame.sampleRate} Hz frame`, {
        sampleRate: frame.sampleRate,
      });
    }
    const n = frame.samples.length;
    if (n === 0) return NO_EVENTS;
    const durMs = (n * 1000) / frame.sampleRate;
    const endMs = frame.timestampMs + durMs;
    const level = this.highPassLevel(frame.samples, frame.sampleRate);
    this.level = level;
    this.floor = this.updateFloor(level, durMs);

    const loud = level > this.floor + this.startDb && level > this.minLevelDbfs;
    const voiced = level > this.floor + this.continueDb && level > this.minLevelDbfs;

    let events = NO_EVENTS;
    if (!this.isSpeaking) {
      if (loud) {
        if (this.runMs === 0) this.runStartMs = frame.timestampMs;
        this.runMs += durMs;
        if (this.runMs >= this.minSpeechMs) {
          this.isSpeaking = true;
          this.runMs = 0;
          this.quietMs = 0;
          this.lastVoiceEndMs = endMs;
          events = [{ type: 'vad.speech_start', atMs: this.runStartMs }];
        }
      } else {
        this.runMs = 0;
      }
    } else if (voiced) {
      this.lastVoiceEndMs = endMs;
      this.quietMs = 0;
    } else {
      this.quietMs += durMs;
      if (this.quietMs >= this.hangoverMs) {
        this.isSpeaking = false;
        this.quietMs = 0;
        events = [{ type: 'vad.speech_end', atMs: this.lastVoiceEndMs }];
      }
    }
    return events;
  }

  /** dBFS of the frame after the high-pass (filter state carries across frames). */
  private highPassLevel(samples: Int16Array, rate: number): number {
    const a = rate === 8000 ? HP_POLE_8K : HP_POLE_16K;
    let px = this.hpX;
    let py = this.hpY;
    let sum = 0;
    for (let i = 0; i < samples.length; i++) {
      const x = samples[i]!;
      py = a * (py + x - px);
      px = x;
      sum += py * py;
    }
    this.hpX = px;
    this.hpY = py;
    const ms = sum / samples.length;
    return ms > 0 ? Math.max(SILENCE_DBFS, 10 * Math.log10(ms / (32768 * 32768))) : SILENCE_DBFS;
  }

  /** Minimum frame level over the floor window, including this frame. */
  private updateFloor(level: number, durMs: number): number {
    if (level < this.subMin) this.subMin = level;
    let floor = this.subMin;
    for (let i = 0; i < this.subCount; i++) if (this.subMins[i]! < floor) floor = this.subMins[i]!;
    this.subMs += durMs;
    if (this.subMs >= SUB_WINDOW_MS) {
      this.subMins[this.subNext] = this.subMin;
      this.subNext = (this.subNext + 1) % this.subMins.length;
      this.subCount = Math.min(this.subCount + 1, this.subMins.length);
      this.subMin = Number.POSITIVE_INFINITY;
      this.subMs = 0;
    }
    return floor;
  }

  reset(): void {
    this.subCount = 0;
    this.subNext = 0;
    this.subMin = Number.POSITIVE_INFINITY;
    this.subMs = 0;
    this.hpX = 0;
    this.hpY = 0;
    this.floor = Number.NaN;
    this.level = Number.NaN;
    this.isSpeaking = false;
    this.runMs = 0;
    this.quietMs = 0;
  }
}
