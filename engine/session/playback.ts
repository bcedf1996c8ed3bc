/**
 * Bot prompts onto the leg: synthesis streamed frame by frame in the order the dialog asked,
 * a mark behind each prompt, and three ways to stop:
 *
 * - `pause()` (the caller may be barging in): the leg's queue is cleared at once, synthesis goes
 *   on into memory, and the point each prompt had reached is kept (what was handed to the leg
 *   and the wall time each piece starts playing tell what the caller has heard);
 * - `resume()` (it was a backchannel or noise): the rest is sent again from a little before the
 *   cut (at the quietest 20 ms within `RESUME_SEARCH_MS` before `RESUME_BACK_MS`: a word gap), then
 *   the prompts behind it, then synthesis goes on live;
 * - `flush()` (a real barge-in, a stop): synthesis aborted, everything dropped.
 *
 * Each frame sent is also handed to `onAudio` with the wall time it will start playing (the echo
 * gate's reference, the recording, the turn latency).
 */
import type { Language } from '../../asr-tts/asr.ts';
import type { TtsAdapter } from '../../asr-tts/tts.ts';
import type { CallLeg } from '../../telephony/call-leg.ts';
import type { Clock } from '../clock.ts';
import { isVoicebotError } from '../errors.ts';
import { PromptTrack } from './prompt-track.ts';

export interface PromptRequest {
  promptId: string;
  text: string;
  language: Language;
  rate?: number;
}

export interface PlaybackHooks {
  onAudio(samples: Int16Array, startMs: number): void;
  onError(promptId: string, code: string, retryable: boolean): void;
  /** The leg's queue was cleared (pause or flush): what was queued will not play. */
  onCut(): void;
}

/** A resumed prompt starts this far before the cut ... */
export const RESUME_BACK_MS = 200;
/** ... or earlier, at the quietest 20 ms block up to this much before that. */
export const RESUME_SEARCH_MS = 400;

export class Playback {
  private chain: Promise<void> = Promise.resolve();
  private generation = 0;
  private seq = 0;
  private readonly aborts = new Set<AbortController>();
  /** Prompts handed to the leg (or held) whose mark has not come back played, in order. */
  private tracks: PromptTrack[] = [];
  private paused = false;

  constructor(
    private readonly leg: CallLeg,
    private readonly tts: TtsAdapter,
    private readonly clock: Clock,
    private readonly hooks: PlaybackHooks,
  ) {}

  /** Queues a prompt behind the others; returns its mark name. */
  play(request: PromptRequest): string {
    const mark = `say:${++this.seq}:${request.promptId}`;
    const generation = this.generation;
    this.chain = this.chain.then(() => this.synthesize(request, mark, generation));
    return mark;
  }

  /** Resolves once everything asked so far has been synthesized and queued (or flushed). */
  settled(): Promise<void> {
    return this.chain;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /**
   * A mark came back from the leg: the prompt id when its prompt has played (the prompt is
   * done), undefined for marks that are not a prompt's or that a pause/flush cleared.
   */
  onMark(name: string, played: boolean): string | undefined {
    const i = this.tracks.findIndex((t) => t.mark === name);
    if (i < 0 || !played) return undefined;
    const [track] = this.tracks.splice(i, 1);
    return track?.promptId;
  }

  /**
   * Stops the sound now and keeps the place. Returns the ids of prompts that had played to
   * their end before the cut (their marks were cleared with the queue: they count as played).
   */
  pause(): string[] {
    if (this.paused) return [];
    this.paused = true;
    const now = this.clock.now();
    const done: string[] = [];
    for (const t of this.tracks) t.cutAt(now);
    while (this.tracks[0]?.finished) done.push(this.tracks.shift()!.promptId);
    this.cut();
    return done;
  }

  /** Plays on from a little before the cut. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    const rate = this.leg.info.sampleRate;
    const head = this.tracks[0];
    head?.rewind(Math.round((RESUME_BACK_MS * rate) / 1000), Math.round((RESUME_SEARCH_MS * rate) / 1000));
    for (const t of this.tracks) {
      this.sendRest(t);
      if (!t.synthesized) break; // synthesis is still filling it: it sends the rest live
      if (this.leg.active) this.leg.mark(t.mark);
    }
  }

  /** Barge-in / stop: abort synthesis, drop queued audio; outstanding marks fire played=false. */
  flush(): void {
    const wasPaused = this.paused;
    this.close();
    // A pause already cleared the leg, and nothing was sent since.
    if (!wasPaused) this.cut();
  }

  private cut(): void {
    if (this.leg.active) this.leg.clear();
    this.hooks.onCut();
  }

  close(): void {
    this.generation++;
    this.paused = false;
    this.tracks = [];
    for (const ac of this.aborts) ac.abort();
    this.aborts.clear();
  }

  private sendRest(track: PromptTrack): void {
    if (!this.leg.active) return;
    const startMs = this.clock.now() + this.leg.queuedMs();
    const samples = track.takeUnsent(startMs);
    if (samples.length === 0) return;
    this.hooks.onAudio(samples, startMs);
    this.leg.sendAudio({ samples, sampleRate: this.leg.info.sampleRate, timestampMs: 0 });
  }

  private async synthesize(request: PromptRequest, mark: string, generation: number): Promise<void> {
    if (generation !== this.generation || !this.leg.active) return;
    const ac = new AbortController();
    this.aborts.add(ac);
    const rate = this.leg.info.sampleRate;
    const track = new PromptTrack(request.promptId, mark, rate);
    this.tracks.push(track);
    try {
      const frames = this.tts.synthesize(
        request.text,
        { language: request.language, sampleRate: rate, ...(request.rate ? { rate: request.rate } : {}) },
        ac.signal,
      );
      for await (const frame of frames) {
        if (ac.signal.aborted || generation !== this.generation || !this.leg.active) break;
        track.append(frame.samples);
        if (!this.paused) this.sendRest(track);
      }
    } catch (err) {
      if (!ac.signal.aborted) {
        const code = isVoicebotError(err) ? err.code : 'TTS_FAILED';
        const retryable = isVoicebotError(err) ? err.retryable : true;
        this.hooks.onError(request.promptId, code, retryable);
      }
    } finally {
      this.aborts.delete(ac);
    }
    if (generation !== this.generation || !this.leg.active) return;
    track.synthesized = true;
    if (!this.paused) this.leg.mark(mark);
  }
}
