/**
 * Bot prompts onto the leg: synthesis streamed frame by frame in the order the dialog asked,
 * a mark behind each prompt, and a flush (barge-in) that aborts every synthesis in flight and
 * drops what is queued. Each frame is also handed to `onAudio` with the wall time it will start
 * playing (the echo gate's reference, the recording, the turn latency).
 */
import type { Language } from '../../asr-tts/asr.ts';
import type { TtsAdapter } from '../../asr-tts/tts.ts';
import type { CallLeg } from '../../telephony/call-leg.ts';
import type { Clock } from '../clock.ts';
import { isVoicebotError } from '../errors.ts';

export interface PromptRequest {
  promptId: string;
  text: string;
  language: Language;
  rate?: number;
}

export interface PlaybackHooks {
  onAudio(samples: Int16Array, startMs: number): void;
  onError(promptId: string, code: string, retryable: boolean): void;
}

export class Playback {
  private chain: Promise<void> = Promise.resolve();
  private generation = 0;
  private seq = 0;
  private readonly aborts = new Set<AbortController>();
  /** Mark name -> prompt id, for the marks still outstanding. */
  readonly marks = new Map<string, string>();

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

  /** Barge-in / stop: abort synthesis, drop queued audio; outstanding marks fire played=false. */
  flush(): void {
    this.generation++;
    for (const ac of this.aborts) ac.abort();
    this.aborts.clear();
    if (this.leg.active) this.leg.clear();
  }

  close(): void {
    this.generation++;
    for (const ac of this.aborts) ac.abort();
    this.aborts.clear();
  }

  private async synthesize(request: PromptRequest, mark: string, generation: number): Promise<void> {
    if (generation !== this.generation || !this.leg.active) return;
    const ac = new AbortController();
    this.aborts.add(ac);
    const rate = this.leg.info.sampleRate;
    try {
      const frames = this.tts.synthesize(
        request.text,
        { language: request.language, sampleRate: rate, ...(request.rate ? { rate: request.rate } : {}) },
        ac.signal,
      );
      for await (const frame of frames) {
        if (ac.signal.aborted || generation !== this.generation || !this.leg.active) break;
        const startMs = this.clock.now() + this.leg.queuedMs();
        this.hooks.onAudio(frame.samples, startMs);
        this.leg.sendAudio(frame);
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
    this.marks.set(mark, request.promptId);
    this.leg.mark(mark);
  }
}
