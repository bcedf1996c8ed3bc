/**
 * Streaming ASR against the FunASR runtime WebSocket server (modelscope/FunASR, wss://host:10095),
 * common in Chinese deployments.
 *
 * Protocol: a first JSON text message (`mode`, `chunk_size`, `chunk_interval`, `wav_name`,
 * `wav_format: "pcm"`, `audio_fs`, `is_speaking: true`, `hotwords` as a JSON *string*, `itn`),
 * then binary PCM16 LE mono (60 ms per message for chunk_size [5,10,5] / interval 10), then
 * `{"is_speaking": false}`. Results: `2pass-online`/`online` messages carry text *fragments*
 * (appended into an interim), `2pass-offline`/`offline` carry the corrected sentence of a segment
 * (a final, replacing the fragments), with optional `timestamp` "[[start,end],…]" in ms per token.
 *
 * `is_final` differs by server: the Python server sends `is_final = is_speaking` (true while
 * audio flows), the C++ server true on the last message. So the adapter ends a stream on an
 * offline result or `is_final: true` received after `{"is_speaking": false}`, and — because the
 * Python server sends nothing when the last segment held no words — also after a quiet period.
 * `flush()` sends `{"is_speaking": false}`; the next audio re-opens the utterance with the first
 * message. The default server uses a self-signed certificate: set `insecureTls` to accept it.
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
  Language,
  RecognizeOptions,
  RecognizeStream,
} from '../../asr.ts';
import { WsRecognizeStream } from '../../resilience/ws-recognize-stream.ts';
import { SampleBatcher } from '../../sample-batcher.ts';

export type FunAsrMode = '2pass' | 'online' | 'offline';

export interface FunAsrOptions {
  /** ws://host:10095 or wss://host:10095 */
  url: string;
  mode?: FunAsrMode;
  /** In 60 ms units: [look-back, chunk, look-ahead]. Default [5, 10, 5]. */
  chunkSize?: [number, number, number];
  chunkInterval?: number;
  /** Inverse text normalization (digits as numerals). Default true. */
  itn?: boolean;
  /** Weight given to hints (hotwords). Default 20. */
  hotwordWeight?: number;
  languages?: Language[];
  /** Accept the server's self-signed certificate (FunASR's default TLS setup). */
  insecureTls?: boolean;
  connectTimeoutMs?: number;
  /** After {"is_speaking": false}: how long to wait for the server's last words. */
  endQuietMs?: number;
  wsOptions?: ClientOptions;
  metrics?: Metrics;
  name?: string;
}

export interface FunAsrMessage {
  mode?: string;
  text?: string;
  wav_name?: string;
  is_final?: boolean;
  timestamp?: string;
  stamp_sents?: { text_seg?: string; punc?: string; start: number; end: number }[];
}

let streamIds = 0;

/** Tokens FunASR times one by one: CJK characters and latin words, without punctuation. */
export function funasrTokens(text: string): string[] {
  return (
    text.match(/[\p{Script=Han}]|[\p{L}\p{N}'][\p{L}\p{N}'-]*/gu)?.filter((t) => !/^\p{P}+$/u.test(t)) ?? []
  );
}

/** Parses FunASR's `timestamp` string ("[[100,200],[200,500]]"); [] when absent or malformed. */
export function parseTimestamps(ts: string | undefined): [number, number][] {
  if (!ts) return [];
  try {
    const v = JSON.parse(ts) as unknown;
    if (
      Array.isArray(v) &&
      v.every((p) => Array.isArray(p) && p.length >= 2 && p.every((n) => typeof n === 'number'))
    )
      return v.map((p) => [p[0], p[1]] as [number, number]);
  } catch {
    // malformed: no word times
  }
  return [];
}

export class FunAsr implements AsrAdapter {
  readonly name: string;
  readonly capabilities: AsrCapabilities;

  constructor(private readonly options: FunAsrOptions) {
    this.name = options.name ?? 'funasr';
    this.capabilities = {
      streaming: true,
      interimResults: (options.mode ?? '2pass') !== 'offline',
      languages: options.languages ?? ['zh-CN', 'en-US'],
      grammar: false,
      hints: true,
      sampleRates: [8000, 16000],
    };
  }

  stream(options: RecognizeOptions): RecognizeStream {
    return new FunAsrStream(this.options, this.name, this.capabilities, options);
  }
}

class FunAsrStream extends WsRecognizeStream {
  private readonly mode: FunAsrMode;
  private readonly wavName = `voicebot-${process.pid}-${++streamIds}`;
  private originMs = 0;
  private sampleRate = 16000;
  private fragments = '';
  private inSpeech = false;
  private speaking = true;
  private lastAudioMs = 0;
  private readonly batcher: SampleBatcher;
  private endSeen = false;

  constructor(
    private readonly o: FunAsrOptions,
    name: string,
    caps: AsrCapabilities,
    private readonly options: RecognizeOptions,
  ) {
    super({
      url: o.url,
      adapter: name,
      connectTimeoutMs: o.connectTimeoutMs ?? 3000,
      finalTimeoutMs: o.endQuietMs ?? 2000,
      wsOptions: { ...(o.insecureTls ? { rejectUnauthorized: false } : {}), ...o.wsOptions },
      ...(o.metrics ? { metrics: o.metrics } : {}),
    });
    this.mode = o.mode ?? '2pass';
    this.batcher = new SampleBatcher(this.sendMs);
    if (!caps.languages.includes(options.language))
      this.refuse(
        'ASR_BAD_REQUEST',
        `${name}: language ${options.language} is not served (${caps.languages.join(', ')})`,
      );
  }

  private opening(): string {
    const hints = this.options.hints ?? [];
    const weight = this.o.hotwordWeight ?? 20;
    return JSON.stringify({
      mode: this.mode,
      chunk_size: this.o.chunkSize ?? [5, 10, 5],
      chunk_interval: this.o.chunkInterval ?? 10,
      encoder_chunk_look_back: 4,
      decoder_chunk_look_back: 0,
      wav_name: this.wavName,
      wav_format: 'pcm',
      audio_fs: this.sampleRate,
      is_speaking: true,
      hotwords: hints.length > 0 ? JSON.stringify(Object.fromEntries(hints.map((h) => [h, weight]))) : '',
      itn: this.o.itn ?? true,
    });
  }

  /** Bytes per binary message: 60 ms * chunk_size[1] / chunk_interval of audio. */
  private get sendMs(): number {
    const cs = this.o.chunkSize ?? [5, 10, 5];
    return (60 * cs[1]) / (this.o.chunkInterval ?? 10);
  }

  protected sendOpening(ws: WebSocket, first: AudioFrame): void {
    this.originMs = first.timestampMs;
    this.sampleRate = first.sampleRate;
    ws.send(this.opening());
  }

  protected sendAudio(frame: AudioFrame): void {
    if (!this.speaking) {
      this.speaking = true;
      this.ws?.send(this.opening());
    }
    this.lastAudioMs = frame.timestampMs + (frame.samples.length * 1000) / frame.sampleRate;
    const batch = this.batcher.push(frame.samples, frame.sampleRate);
    if (batch) this.ws?.send(int16ToBytes(batch));
  }

  private sendBuffered(): void {
    const batch = this.batcher.take();
    if (batch) this.ws?.send(int16ToBytes(batch));
  }

  protected sendFlush(): void {
    this.sendBuffered();
    if (!this.speaking) return;
    this.speaking = false;
    this.ws?.send(JSON.stringify({ is_speaking: false }));
  }

  protected sendEnd(): void {
    this.sendFlush();
  }

  protected override onEndTimeout(): void {
    // The Python server sends nothing for a last segment without words: quiet means done.
    if (this.mode === 'online') this.finalFromFragments();
    this.finish();
  }

  protected onText(text: string): void {
    let msg: FunAsrMessage;
    try {
      msg = JSON.parse(text) as FunAsrMessage;
    } catch {
      throw new VoicebotError('SPEECH_PROTOCOL', `reply is not JSON: ${text.slice(0, 80)}`);
    }
    if (typeof msg.mode !== 'string' || typeof msg.text !== 'string')
      throw new VoicebotError('SPEECH_PROTOCOL', `reply lacks mode/text: ${text.slice(0, 80)}`);
    const offline = msg.mode === '2pass-offline' || msg.mode === 'offline';
    if (offline) {
      this.final(msg);
    } else if (msg.text) {
      this.startSpeech();
      this.fragments += msg.text;
      this.emit({ type: 'asr.interim', text: this.fragments.trim() });
    }
    if (this.ending && (offline || msg.is_final === true)) {
      if (this.endSeen) return;
      this.endSeen = true;
      if (!offline && this.mode === 'online') this.finalFromFragments();
      // Further messages of the same end (a late segment) may still come: a short grace.
      this.rearmEndTimer(150);
    }
  }

  private final(msg: FunAsrMessage): void {
    const text = (msg.text ?? '').trim();
    this.fragments = '';
    if (!text) {
      if (this.inSpeech) this.endSpeech(this.lastAudioMs);
      return;
    }
    const ts = parseTimestamps(msg.timestamp);
    const tokens = funasrTokens(text);
    const words: AsrWord[] =
      ts.length > 0 && ts.length === tokens.length
        ? tokens.map((word, i) => ({
            word,
            startMs: this.originMs + (ts[i] as [number, number])[0],
            endMs: this.originMs + (ts[i] as [number, number])[1],
          }))
        : [];
    const sents = msg.stamp_sents ?? [];
    const startMs = words[0]?.startMs ?? (sents[0] ? this.originMs + sents[0].start : this.originMs);
    const endMs =
      words.at(-1)?.endMs ?? (sents.at(-1) ? this.originMs + (sents.at(-1)?.end ?? 0) : this.lastAudioMs);
    this.startSpeech(startMs);
    // FunASR reports no confidence: a recognized sentence counts as certain.
    this.emit({
      type: 'asr.final',
      text,
      confidence: 1,
      startMs,
      endMs: Math.max(startMs, endMs),
      ...(words.length ? { words } : {}),
    });
    this.endSpeech(Math.max(startMs, endMs));
  }

  private finalFromFragments(): void {
    const text = this.fragments.trim();
    if (text) this.final({ mode: 'online', text });
  }

  private startSpeech(atMs?: number): void {
    if (this.inSpeech) return;
    this.inSpeech = true;
    this.emit({ type: 'asr.speech_start', atMs: atMs ?? this.originMs });
  }

  private endSpeech(atMs: number): void {
    this.inSpeech = false;
    this.emit({ type: 'asr.speech_end', atMs });
  }
}
