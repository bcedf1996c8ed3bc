/**
 * The caller's audio on its way to the VAD: echo-gated (the bot's own voice coming back is
 * silenced, the caller's passes), kept as the utterance in progress for a recognizer opened in
 * its middle, and turned into speech start / end with how much speech the VAD had heard when
 * it reported the start. Frames are put on the wall clock by their media time plus the least
 * delay seen (arrival bursts would otherwise smear the echo gate's timeline).
 */
import type { Vad } from '../../asr-tts/vad.ts';
import type { AudioFrame } from '../audio/frame.ts';
import { EchoGate } from './echo-gate.ts';
import { UtteranceAudio } from './utterance-audio.ts';

export type SpeechEdge =
  | { type: 'start'; heardMs: number; atMs: number }
  /** speechMs: from the onset to the end (media time). */
  | { type: 'end'; atMs: number; speechMs: number };

/** How fast the least arrival delay may creep up (clock drift, a path that got slower), ms per frame. */
const OFFSET_CREEP_MS = 0.02;

export class CallerInput {
  readonly echo = new EchoGate();
  readonly utterance = new UtteranceAudio();
  private offset = Number.POSITIVE_INFINITY;
  private startAtMs = 0;

  constructor(readonly vad: Vad) {}

  /** One frame of the caller's line, received at `nowMs` (wall clock). */
  push(frame: AudioFrame, nowMs: number): SpeechEdge[] {
    this.utterance.push(frame);
    this.offset = Math.min(this.offset + OFFSET_CREEP_MS, nowMs - frame.timestampMs);
    const echo = this.echo.isEcho(frame.samples, frame.timestampMs + this.offset);
    const heard = echo ? { ...frame, samples: new Int16Array(frame.samples.length) } : frame;
    const edges: SpeechEdge[] = [];
    for (const e of this.vad.process(heard)) {
      if (e.type === 'vad.speech_start') {
        this.utterance.speechStarted();
        this.startAtMs = e.atMs;
        // The VAD reports a start once it has heard enough of it: how much.
        const frameEndMs = frame.timestampMs + (frame.samples.length * 1000) / frame.sampleRate;
        edges.push({ type: 'start', heardMs: Math.max(0, frameEndMs - e.atMs), atMs: e.atMs });
      } else {
        edges.push({ type: 'end', atMs: e.atMs, speechMs: Math.max(0, e.atMs - this.startAtMs) });
      }
    }
    return edges;
  }

  get speaking(): boolean {
    return this.vad.speaking;
  }

  close(): void {
    this.vad.close?.();
  }
}
