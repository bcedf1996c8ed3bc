/**
 * Answering-machine detection in the style of Asterisk's app_amd: a pure, streaming classifier
 * over the first seconds of answered audio. Each 20 ms analysis frame is voice or silence by its
 * mean absolute sample against `silenceThreshold`; words are runs of voice of at least
 * `minimumWordLength` separated by at least `betweenWordsSilence` of silence. Rules, checked per
 * frame in this order:
 *   - total analysed time >= totalAnalysisTime                  -> NOTSURE (TOOLONG)
 *   - silence frame: silence >= initialSilence before any voice  -> MACHINE (INITIALSILENCE)
 *                    silence >= afterGreetingSilence after voice -> HUMAN (HUMAN)
 *   - voice frame:   one run of voice >= maximumWordLength       -> MACHINE (MAXWORDLENGTH)
 *                    words >= maximumNumberOfWords               -> MACHINE (MAXWORDS)
 *                    voice in the greeting >= greeting           -> MACHINE (LONGGREETING)
 * No I/O, no clock: time is the audio's own duration.
 */
import type { AudioFrame } from '../audio/frame.ts';
import { VoicebotError } from '../errors.ts';

export interface AmdParameters {
  initialSilenceMs: number;
  greetingMs: number;
  afterGreetingSilenceMs: number;
  totalAnalysisTimeMs: number;
  minimumWordLengthMs: number;
  betweenWordsSilenceMs: number;
  maximumNumberOfWords: number;
  /** Mean |sample| of a 20 ms frame at or above which the frame is voice. */
  silenceThreshold: number;
  maximumWordLengthMs: number;
  /**
   * 0 (app_amd): the threshold is fixed. > 0: a frame is voice only when it is also this many
   * times louder than the line's noise floor (the quietest frame of the last second), so steady
   * background noise does not read as endless speech.
   */
  noiseFloorFactor: number;
}

/** Asterisk app_amd's defaults (maximumNumberOfWords 3 as in current Asterisk). */
export const AMD_DEFAULTS: Readonly<AmdParameters> = Object.freeze({
  initialSilenceMs: 2500,
  greetingMs: 1500,
  afterGreetingSilenceMs: 800,
  totalAnalysisTimeMs: 5000,
  minimumWordLengthMs: 100,
  betweenWordsSilenceMs: 50,
  maximumNumberOfWords: 3,
  silenceThreshold: 256,
  maximumWordLengthMs: 5000,
  noiseFloorFactor: 0,
});

/** VICIdial's AMD(2000,2000,1000,5000,120,50,4,256). */
export const AMD_VICIDIAL: Readonly<AmdParameters> = Object.freeze({
  ...AMD_DEFAULTS,
  initialSilenceMs: 2000,
  greetingMs: 2000,
  afterGreetingSilenceMs: 1000,
  minimumWordLengthMs: 120,
  maximumNumberOfWords: 4,
});

export type AmdResult = 'HUMAN' | 'MACHINE' | 'NOTSURE';
export type AmdReason =
  | 'INITIALSILENCE'
  | 'HUMAN'
  | 'MAXWORDLENGTH'
  | 'MAXWORDS'
  | 'LONGGREETING'
  | 'TOOLONG';

export interface AmdDecision {
  result: AmdResult;
  reason: AmdReason;
  /** Audio analysed when the decision fell (ms from the first frame). */
  atMs: number;
  words: number;
  voiceMs: number;
}

const FRAME_MS = 20;

/** Checks parameters: every one a finite number in a sensible range, with a clear error otherwise. */
export function amdParameters(overrides: Partial<AmdParameters> = {}): AmdParameters {
  const p = { ...AMD_DEFAULTS, ...overrides };
  for (const [key, value] of Object.entries(p)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 600_000) {
      throw new VoicebotError('AMD_BAD_PARAMETERS', `amd ${key} must be a number from 0 to 600000`, {
        key,
      });
    }
  }
  if (p.maximumNumberOfWords < 1 || p.totalAnalysisTimeMs < FRAME_MS) {
    throw new VoicebotError(
      'AMD_BAD_PARAMETERS',
      'amd maximumNumberOfWords must be >= 1 and totalAnalysisTimeMs >= 20',
    );
  }
  return p;
}

export class AmdClassifier {
  readonly params: AmdParameters;
  private decision: AmdDecision | null = null;
  private buffer: Int16Array | null = null;
  private buffered = 0;
  private rate = 0;
  private totalMs = 0;
  private silenceMs = 0;
  private voiceRunMs = 0;
  private voiceMs = 0;
  private words = 0;
  /** app_amd starts "in a word": speech right at the answer is not counted until a pause. */
  private inWord = true;
  private inInitialSilence = true;
  private inGreeting = false;
  /** Mean |sample| of the last 50 frames (noise floor tracking). */
  private readonly levels = new Float64Array(50);

  constructor(overrides: Partial<AmdParameters> = {}) {
    this.params = amdParameters(overrides);
  }

  get result(): AmdDecision | null {
    return this.decision;
  }

  /** Feeds audio of any length; returns the decision once there is one (and then always it). */
  push(frame: AudioFrame): AmdDecision | null {
    if (this.decision) return this.decision;
    const size = (frame.sampleRate * FRAME_MS) / 1000;
    if (this.rate !== frame.sampleRate) {
      this.rate = frame.sampleRate;
      this.buffer = new Int16Array(size);
      this.buffered = 0;
    }
    const buf = this.buffer!;
    const s = frame.samples;
    for (let i = 0; i < s.length && !this.decision; ) {
      const n = Math.min(size - this.buffered, s.length - i);
      buf.set(s.subarray(i, i + n), this.buffered);
      this.buffered += n;
      i += n;
      if (this.buffered === size) {
        this.buffered = 0;
        this.analyse(buf);
      }
    }
    return this.decision;
  }

  private decide(result: AmdResult, reason: AmdReason): void {
    this.decision = { result, reason, atMs: this.totalMs, words: this.words, voiceMs: this.voiceMs };
  }

  private analyse(samples: Int16Array): void {
    const p = this.params;
    let sum = 0;
    for (let i = 0; i < samples.length; i++) sum += Math.abs(samples[i]!);
    const level = sum / samples.length;
    let threshold = p.silenceThreshold;
    if (p.noiseFloorFactor > 0) {
      const seen = this.totalMs / FRAME_MS;
      this.levels[seen % this.levels.length] = level;
      let floor = level;
      for (let i = 0; i < Math.min(seen + 1, this.levels.length); i++)
        floor = Math.min(floor, this.levels[i]!);
      threshold = Math.max(threshold, floor * p.noiseFloorFactor);
    }
    const silent = level < threshold;
    this.totalMs += FRAME_MS;
    if (this.totalMs >= p.totalAnalysisTimeMs) {
      this.decide('NOTSURE', 'TOOLONG');
      return;
    }
    if (silent) {
      this.silenceMs += FRAME_MS;
      if (this.silenceMs >= p.betweenWordsSilenceMs) {
        this.inWord = false;
        this.voiceRunMs = 0;
      }
      if (this.inInitialSilence && this.silenceMs >= p.initialSilenceMs) {
        this.decide('MACHINE', 'INITIALSILENCE');
        return;
      }
      if (this.inGreeting && this.silenceMs >= p.afterGreetingSilenceMs) {
        this.decide('HUMAN', 'HUMAN');
        return;
      }
      return;
    }
    this.silenceMs = 0;
    this.voiceRunMs += FRAME_MS;
    this.voiceMs += FRAME_MS;
    if (this.voiceRunMs >= p.minimumWordLengthMs && !this.inWord) {
      this.words++;
      this.inWord = true;
    }
    if (this.voiceRunMs >= p.maximumWordLengthMs) {
      this.decide('MACHINE', 'MAXWORDLENGTH');
      return;
    }
    if (this.words >= p.maximumNumberOfWords) {
      this.decide('MACHINE', 'MAXWORDS');
      return;
    }
    if (this.inGreeting && this.voiceMs >= p.greetingMs) {
      this.decide('MACHINE', 'LONGGREETING');
      return;
    }
    if (this.voiceRunMs >= p.minimumWordLengthMs && !this.inGreeting) {
      this.inInitialSilence = false;
      this.inGreeting = true;
    }
  }
}
