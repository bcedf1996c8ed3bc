/**
 * Streaming ASR against a Vosk server over WebSocket (alphacep/vosk-server, ws://host:2700).
 *
 * Protocol: an optional config text message `{"config":{"sample_rate":…,"words":1,…}}`, then
 * binary PCM16 LE mono chunks; the server answers every chunk with exactly one message, either
 * `{"partial":"…"}` or a final `{"text":"…","result":[{"conf","start","end","word"}…]}` (times in
 * seconds). `{"reset" : 1}` forces a final and continues; `{"eof" : 1}` (byte-exact, with the
 * spaces) ends: the last final comes back and the server closes. A grammar becomes Vosk's
 * `phrase_list`, which restricts what the recognizer may return.
 */

import type WebSocket from 'ws';
import type { ClientOptions } from 'ws';
import type { AudioFrame } from '../../../engine/audio/frame.ts';
import { int16ToBytes } from '../../../engine/audio/pcm.ts';
import { VoicebotError } from '../../../engine/errors.ts';
import type { Metrics } from '../../../engine/metrics/metrics.ts';
import type {
  AsrAdapter,
  AsrCapabilities,
  AsrWord,
  Grammar,
  Language,
  RecognizeOptions,
  RecognizeStream,
} from '../../asr.ts';
import { DIGIT_WORDS, digitsFromWords } from '../../grammar.ts';
import { WsRecognizeStream } from '../../resilience/ws-recognize-stream.ts';
import { SampleBatcher } from '../../sample-batcher.ts';

export interface VoskAsrOptions {
  /** e.g. ws://127.0.0.1:2700 */
  url: string;
  /** Languages of the model the server loaded (one model per Vosk server). Default en-US. */
  languages?: Language[];
  /** Audio per binary message (the Vosk sample client sends 200 ms; smaller is faster). */
  chunkMs?: number;
  connectTimeoutMs?: number;
  finalTimeoutMs?: number;
  wsOptions?: ClientOptions;
  metrics?: Metrics;
  name?: string;
}

/** The exact bytes the Vosk servers compare against. */
export const VOSK_EOF = '{"eof" : 1}';
export const VOSK_RESET = '{"reset" : 1}';

export interface VoskWord {
  conf: number;
  start: number;
  end: number;
  word: string;
}

export interface VoskReply {
  partial?: string;
  text?: string;
  result?: VoskWord[];
  alternatives?: { confidence: number; text: string; result?: VoskWord[] }[];
}

/** Vosk's phrase_list for a grammar ("[unk]" lets out-of-grammar speech be no-match, not forced). */
export function phraseList(grammar: Grammar): string[] {
  switch (grammar.kind) {
    case 'yesno':
      return ['yes', 'no', '[unk]'];
    case 'digits':
      return [DIGIT_WORDS.join(' '), 'oh', '[unk]'];
    case 'phrases':
      return [...grammar.phrases.map((p) => p.toLowerCase()), '[unk]'];
  }
}

export class VoskAsr implements AsrAdapter {
  readonly name: string;
  readonly capabilities: AsrCapabilities;

  constructor(private readonly options: VoskAsrOptions) {
    this.name = options.name ?? 'vosk';
    this.capabilities = {
      streaming: true,
      interimResults: true,
      languages: options.languages ?? ['en-US'],
      grammar: true,
      hints: false,
      sampleRates: [8000, 16000],
    };
  }

  stream(options: RecognizeOptions): RecognizeStream {
    return new VoskStream(this.options, this.name, this.capabilities, options);
  }
}

class VoskStream extends WsRecognizeStream {
  private readonly batcher: SampleBatcher;
  private originMs: number | undefined;
  private inSpeech = false;
  private lastPartial = '';
  private readonly chunkMs: number;

  constructor(
    o: VoskAsrOptions,
    name: string,
    caps: AsrCapabilities,
    private readonly options: RecognizeOptions,
  ) {
    super({
      url: o.url,
      adapter: name,
      connectTimeoutMs: o.connectTimeoutMs ?? 3000,
      finalTimeoutMs: o.finalTimeoutMs ?? 10_000,
      ...(o.wsOptions ? { wsOptions: o.wsOptions } : {}),
      ...(o.metrics ? { metrics: o.metrics } : {}),
    });
    this.chunkMs = o.chunkMs ?? 100;
    this.batcher = new SampleBatcher(this.chunkMs);
    if (!caps.languages.includes(options.language))
      this.refuse(
        'ASR_BAD_REQUEST',
        `${name}: language ${options.language} is not served (model speaks ${caps.languages.join(', ')})`,
      );
  }

  protected sendOpening(ws: WebSocket, first: AudioFrame): void {
    this.originMs = first.timestampMs;
    const config: Record<string, unknown> = { sample_rate: first.sampleRate, words: 1, max_alternatives: 0 };
    if (this.options.grammar) config.phrase_list = phraseList(this.options.grammar);
    ws.send(JSON.stringify({ config }));
  }

  protected sendAudio(frame: AudioFrame): void {
    const batch = this.batcher.push(frame.samples, frame.sampleRate);
    if (batch) this.ws?.send(int16ToBytes(batch));
  }

  private sendChunk(): void {
    const batch = this.batcher.take();
    if (batch) this.ws?.send(int16ToBytes(batch));
  }

  protected sendFlush(): void {
    this.sendChunk();
    this.ws?.send(VOSK_RESET);
  }

  protected sendEnd(): void {
    this.sendChunk();
    this.ws?.send(VOSK_EOF);
  }

  protected onText(text: string): void {
    let msg: VoskReply;
    try {
      msg = JSON.parse(text) as VoskReply;
    } catch {
      throw new VoicebotError('SPEECH_PROTOCOL', `reply is not JSON: ${text.slice(0, 80)}`);
    }
    if (typeof msg.partial === 'string') {
      const p = msg.partial.trim();
      if (p && p !== this.lastPartial) {
        this.startSpeech(undefined);
        this.lastPartial = p;
        this.emit({ type: 'asr.interim', text: p });
      }
      return;
    }
    const alt = msg.alternatives?.[0];
    const finalText = (alt ? alt.text : msg.text)?.trim();
    if (finalText === undefined)
      throw new VoicebotError('SPEECH_PROTOCOL', `reply has neither partial nor text: ${text.slice(0, 80)}`);
    this.lastPartial = '';
    if (!finalText) return; // silence: Vosk sends an empty final; there is nothing to report
    const origin = this.originMs ?? 0;
    const result = alt ? (alt.result ?? []) : (msg.result ?? []);
    const words: AsrWord[] = result.map((w) => ({
      word: w.word,
      startMs: Math.round(origin + w.start * 1000),
      endMs: Math.round(origin + w.end * 1000),
      confidence: w.conf,
    }));
    const confidence = alt
      ? Math.max(0, Math.min(1, alt.confidence / 1000))
      : words.length > 0
        ? words.reduce((s, w) => s + (w.confidence ?? 0), 0) / words.length
        : 1;
    const startMs = words[0]?.startMs ?? origin;
    const endMs = words.at(-1)?.endMs ?? startMs;
    const out =
      this.options.grammar?.kind === 'digits'
        ? digitsFromWords(finalText)
        : finalText.replace(/\[unk\]/g, '').trim();
    this.startSpeech(startMs);
    this.emit({
      type: 'asr.final',
      text: out,
      confidence: out ? confidence : 0,
      startMs,
      endMs,
      ...(words.length ? { words } : {}),
    });
    this.emit({ type: 'asr.speech_end', atMs: endMs });
    this.inSpeech = false;
  }

  private startSpeech(atMs: number | undefined): void {
    if (this.inSpeech) return;
    this.inSpeech = true;
    this.emit({ type: 'asr.speech_start', atMs: atMs ?? this.originMs ?? 0 });
  }
}
