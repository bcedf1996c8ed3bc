/**
 * The caller's audio on its way to the VAD: echo-gated (the bot's own voice coming back and the
 * line's steady noise under it are silenced, the caller's speech passes), kept as the utterance
 * in progress for a recognizer opened in its middle, and turned into speech start / end with how
 * much speech had been heard when the start was reported. Frames are put on the wall clock by
 * their media time plus the least delay seen (arrival bursts would otherwise smear the echo
 * gate's timeline).
 *
 * Onset while the bot talks (its audio in the gate's window, the echo path learned, so a
 * frame that passed is not the echo arriving early): the gate passes only what rises above the
 * line's noise floor and the bot's echo, so `onsetMs` (60) of passed frames in a row is sound
 * from the caller: the start is reported then, with heardMs 60, as the energy VAD reports its
 * own (the turn machine pauses the bot once `minSpeechMs` is heard unless an end comes first). The WebRTC VAD needs
 * 120 ms of voiced blocks in a row, which a word starting on a short vowel followed by a
 * consonant under the noise ("excuse me" on a 10 dB line) breaks for 300-500 ms. The VAD must
 * confirm the start within `confirmMs` (400): its own start is then not reported again; if it
 * does not, an end is reported (a short sound: the turn machine resumes the prompt).
 */
import type { Vad } from '../../asr-tts/vad.ts';
import type { AudioFrame } from '../audio/frame.ts';
import { EchoGate, type EchoGateOptions } from './echo-gate.ts';
import { UtteranceAudio } from './utterance-audio.ts';

export type SpeechEdge =
  | { type: 'start'; heardMs: number; atMs: number }
  /** speechMs: from the onset to the end (media time). */
  | { type: 'end'; atMs: number; speechMs: number };

export interface CallerInputOptions {
  echo?: EchoGateOptions;
  /** Passed frames in a row, while the bot talks, that report a start before the VAD (default 60 ms; 0: off). */
  onsetMs?: number;
  /** How long after such a start the VAD has to confirm it (default 400 ms). */
  confirmMs?: number;
}

/** How fast the least arrival delay may creep up (clock drift, a path that got slower), ms per frame. */
const OFFSET_CREEP_MS = 0.02;

export class CallerInput {
  readonly echo: EchoGate;
  readonly utterance = new UtteranceAudio();
  private readonly onsetMs: number;
  private readonly confirmMs: number;
  private offset = Number.POSITIVE_INFINITY;
  private startAtMs = 0;
  /** Passed frames in a row while the bot talks (ms) and where that run began (media time). */
  private runMs = 0;
  private runStartMs = 0;
  /** A start reported from the onset, not yet confirmed by the VAD: the media time it must be by. */
  private confirmBy: number | null = null;
  /** Starts reported from the onset, and those the VAD did not confirm. */
  onsetStarts = 0;
  unconfirmed = 0;

  constructor(
    readonly vad: Vad,
    options: CallerInputOptions = {},
  ) {
    this.echo = new EchoGate(options.echo);
    this.onsetMs = options.onsetMs ?? 60;
    this.confirmMs = options.confirmMs ?? 400;
  }

  /** One frame of the caller's line, received at `nowMs` (wall clock). */
  push(frame: AudioFrame, nowMs: number): SpeechEdge[] {
    this.utterance.push(frame);
    this.offset = Math.min(this.offset + OFFSET_CREEP_MS, nowMs - frame.timestampMs);
    const echo = this.echo.isEcho(frame.samples, frame.timestampMs + this.offset, frame.sampleRate);
    const heard = echo ? { ...frame, samples: new Int16Array(frame.samples.length) } : frame;
    const durMs = (frame.samples.length * 1000) / frame.sampleRate;
    const frameEndMs = frame.timestampMs + durMs;
    const edges: SpeechEdge[] = [];
    for (const e of this.vad.process(heard)) {
      if (e.type === 'vad.speech_start') {
        if (this.confirmBy !== null) {
          // The start reported from the onset is confirmed: not reported twice.
          this.confirmBy = null;
          continue;
        }
        this.started(e.atMs, Math.max(0, frameEndMs - e.atMs), edges);
      } else {
        edges.push({ type: 'end', atMs: e.atMs, speechMs: Math.max(0, e.atMs - this.startAtMs) });
      }
    }
    this.onset(frame.timestampMs, durMs, edges);
    return edges;
  }

  get speaking(): boolean {
    return this.vad.speaking || this.confirmBy !== null;
  }

  close(): void {
    this.vad.close?.();
  }

  private started(atMs: number, heardMs: number, edges: SpeechEdge[]): void {
    this.utterance.speechStarted();
    this.startAtMs = atMs;
    // The start is reported once enough of it has been heard: how much.
    edges.push({ type: 'start', heardMs, atMs });
  }

  /** The start from passed frames while the bot talks; its end when the VAD does not confirm it. */
  private onset(atMs: number, durMs: number, edges: SpeechEdge[]): void {
    const endMs = atMs + durMs;
    if (this.confirmBy !== null) {
      if (this.vad.speaking) this.confirmBy = null;
      else if (endMs >= this.confirmBy) {
        this.confirmBy = null;
        this.unconfirmed++;
        edges.push({ type: 'end', atMs: endMs, speechMs: endMs - this.startAtMs });
      }
      return;
    }
    if (this.onsetMs <= 0 || !this.echo.passed || !this.echo.botTalking || this.vad.speaking) {
      this.runMs = 0;
      return;
    }
    if (this.runMs === 0) this.runStartMs = atMs;
    this.runMs += durMs;
    if (this.runMs < this.onsetMs) return;
    this.runMs = 0;
    this.onsetStarts++;
    this.confirmBy = endMs + this.confirmMs;
    this.started(this.runStartMs, endMs - this.runStartMs, edges);
  }
}
