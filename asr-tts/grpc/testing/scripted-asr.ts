/**
 * A deterministic recognizer for protocol tests and demos of the network layer: a real energy
 * endpointer cuts the audio into utterances, and each utterance of a stream is "recognized" as the
 * next text of a script (cycled, from the start for every stream). Timing (speech start/end, word times spread over the utterance), interim
 * results, flush/end/close and errors behave like a streaming engine, so servers and adapters can
 * be tested without a model. Not a speech recognizer: use an embedded engine for real calls.
 */
import type { AudioFrame } from '../../../engine/audio/frame.ts';
import { dbfs } from '../../../engine/audio/pcm.ts';
import { VoicebotError } from '../../../engine/errors.ts';
import type {
  AsrAdapter,
  AsrCapabilities,
  AsrEvent,
  Language,
  RecognizeOptions,
  RecognizeStream,
} from '../../asr.ts';
import { EventQueue } from '../../event-queue.ts';

export interface ScriptedAsrOptions {
  /** Texts returned for successive utterances (cycled). */
  script: string[];
  languages?: Language[];
  /** Frames louder than this are speech. */
  thresholdDbfs?: number;
  /** Default silence that ends an utterance (RecognizeOptions.endpointSilenceMs wins). */
  endpointSilenceMs?: number;
  name?: string;
}

export class ScriptedAsr implements AsrAdapter {
  readonly name: string;
  readonly capabilities: AsrCapabilities;
  constructor(private readonly options: ScriptedAsrOptions) {
    if (options.script.length === 0) throw new Error('ScriptedAsr needs at least one text');
    this.name = options.name ?? 'scripted-asr';
    this.capabilities = {
      streaming: true,
      interimResults: true,
      languages: options.languages ?? ['en-US', 'zh-CN'],
      grammar: false,
      hints: false,
      sampleRates: [8000, 16000],
    };
  }

  stream(options: RecognizeOptions): RecognizeStream {
    return new ScriptedStream(this, this.options, options);
  }
}

class ScriptedStream implements RecognizeStream {
  private readonly queue = new EventQueue<AsrEvent>();
  private state: 'open' | 'failed' | 'ended' | 'closed' = 'open';
  private speechStartMs: number | undefined;
  private lastVoiceMs = 0;
  private lastInterimMs = 0;
  private text: string | undefined;
  private readonly thresholdDbfs: number;
  private readonly endpointMs: number;
  private readonly interim: boolean;
  private utterances = 0;

  constructor(
    private readonly owner: ScriptedAsr,
    private readonly adapterOptions: ScriptedAsrOptions,
    options: RecognizeOptions,
  ) {
    this.thresholdDbfs = adapterOptions.thresholdDbfs ?? -40;
    this.endpointMs = options.endpointSilenceMs ?? adapterOptions.endpointSilenceMs ?? 600;
    this.interim = options.interimResults ?? true;
    if (!owner.capabilities.languages.includes(options.language)) {
      const e = new VoicebotError(
        'ASR_BAD_REQUEST',
        `${owner.name}: language ${options.language} is not supported`,
      );
      this.queue.push({ type: 'asr.error', code: e.code, message: e.message, retryable: e.retryable });
      this.queue.end();
      this.state = 'failed';
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<AsrEvent> {
    return this.queue[Symbol.asyncIterator]();
  }

  push(frame: AudioFrame): void {
    if (this.state === 'closed' || this.state === 'ended')
      throw new VoicebotError(
        'ASR_STREAM_CLOSED',
        `${this.owner.name}: push after ${this.state === 'closed' ? 'close' : 'end'}`,
      );
    if (this.state !== 'open') return;
    const endMs = frame.timestampMs + (frame.samples.length * 1000) / frame.sampleRate;
    if (dbfs(frame.samples) > this.thresholdDbfs) {
      if (this.speechStartMs === undefined) {
        this.speechStartMs = frame.timestampMs;
        const script = this.adapterOptions.script;
        this.text = script[this.utterances++ % script.length] as string;
        this.lastInterimMs = frame.timestampMs;
        this.queue.push({ type: 'asr.speech_start', atMs: frame.timestampMs });
      }
      this.lastVoiceMs = endMs;
      if (this.interim && endMs - this.lastInterimMs >= 200) {
        this.lastInterimMs = endMs;
        const words = (this.text ?? '').split(/\s+/);
        const n = Math.max(1, Math.min(words.length - 1, Math.round((endMs - this.speechStartMs) / 300)));
        this.queue.push({ type: 'asr.interim', text: words.slice(0, n).join(' '), stability: 0.5 });
      }
    } else if (this.speechStartMs !== undefined && endMs - this.lastVoiceMs >= this.endpointMs) {
      this.finalize();
    }
  }

  flush(): void {
    if (this.state === 'open') this.finalize();
  }

  end(): void {
    if (this.state === 'closed' || this.state === 'ended')
      throw new VoicebotError(
        'ASR_STREAM_CLOSED',
        `${this.owner.name}: push after ${this.state === 'closed' ? 'close' : 'end'}`,
      );
    if (this.state !== 'open') return;
    this.finalize();
    this.state = 'ended';
    this.queue.end();
  }

  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.queue.abort();
  }

  private finalize(): void {
    if (this.speechStartMs === undefined || this.text === undefined) return;
    const startMs = this.speechStartMs;
    const endMs = Math.max(this.lastVoiceMs, startMs);
    const parts = this.text.split(/\s+/).filter(Boolean);
    const step = (endMs - startMs) / Math.max(1, parts.length);
    const words = parts.map((word, i) => ({
      word,
      startMs: Math.round(startMs + i * step),
      endMs: Math.round(startMs + (i + 1) * step),
      confidence: 0.9,
    }));
    this.queue.push({ type: 'asr.final', text: this.text, confidence: 0.9, startMs, endMs, words });
    this.queue.push({ type: 'asr.speech_end', atMs: endMs });
    this.speechStartMs = undefined;
    this.text = undefined;
  }
}
