/**
 * Embedded streaming ASR with sherpa-onnx (npm sherpa-onnx-node, whose platform package ships
 * the native addon and onnxruntime). Loads a streaming zipformer transducer, paraformer or
 * zipformer2-CTC model from `modelsDir` (see model-layout.ts and docs/speech.md); English,
 * Mandarin or both depending on the model. One recognizer per adapter is shared by all its
 * streams; decoding runs synchronously on push (a streaming model decodes far faster than real
 * time). Without a model every stream yields one SPEECH_MODEL_MISSING asr.error that says which
 * files to put where.
 *
 * A damaged model file makes the native addon abort the whole process (an uncaught C++
 * exception), so each recognizer config is first loaded once in a throw-away child process;
 * only a config that loads there is loaded here. Call `await load()` at start-up to do that
 * without blocking; otherwise the first stream does it synchronously.
 */
import { execFile, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import type { AudioFrame } from '../../../engine/audio/frame.ts';
import { isVoicebotError, VoicebotError } from '../../../engine/errors.ts';
import type { AsrAdapter, AsrCapabilities, AsrEvent, RecognizeOptions, RecognizeStream } from '../../asr.ts';
import { EventQueue } from '../../event-queue.ts';
import { findModels, SHERPA_MODEL_HELP, type SherpaModel } from './model-layout.ts';

interface OnlineStream {
  acceptWaveform(w: { samples: Float32Array; sampleRate: number }): void;
  inputFinished(): void;
}
interface OnlineResult {
  text: string;
  timestamps?: number[];
  ys_probs?: number[];
  start_time?: number;
}
interface OnlineRecognizer {
  createStream(): OnlineStream;
  isReady(s: OnlineStream): boolean;
  decode(s: OnlineStream): void;
  isEndpoint(s: OnlineStream): boolean;
  reset(s: OnlineStream): void;
  getResult(s: OnlineStream): OnlineResult;
}
type SherpaModule = { OnlineRecognizer: new (config: Record<string, unknown>) => OnlineRecognizer };

const require = createRequire(import.meta.url);
const PROBE = 'const [m, c] = process.argv.slice(1); new (require(m).OnlineRecognizer)(JSON.parse(c));';

function probeFailure(stderr: string, modelName: string): VoicebotError {
  const line =
    stderr.split('\n').find((l) => /what\(\)|error|failed/i.test(l)) ?? stderr.trim().slice(0, 300);
  return new VoicebotError(
    'SPEECH_MODEL_MISSING',
    `sherpa-onnx: model ${modelName} does not load: ${line.trim()}`,
    {
      model: modelName,
    },
  );
}

export interface SherpaAsrOptions {
  /** The project's models directory (config key `modelsDir`). */
  modelsDir: string;
  /** A model folder name inside modelsDir; default: the first found, bilingual first. */
  model?: string;
  numThreads?: number;
  /** Silence that ends an utterance when a stream does not set endpointSilenceMs. */
  endpointSilenceMs?: number;
}

/** Tail of silence pushed on flush/end so the model emits its last tokens. */
const TAIL_MS = 600;
const MODEL_RATE = 16000;

export class SherpaAsr implements AsrAdapter {
  readonly name = 'sherpa-onnx';
  readonly capabilities: AsrCapabilities;
  readonly model: SherpaModel | undefined;
  readonly #opts: SherpaAsrOptions;
  #recognizers = new Map<number, OnlineRecognizer>();
  #verified = new Set<string>();

  constructor(opts: SherpaAsrOptions) {
    this.#opts = opts;
    const models = findModels(opts.modelsDir);
    this.model = opts.model ? models.find((m) => m.name === opts.model) : models[0];
    this.capabilities = {
      streaming: true,
      interimResults: true,
      languages: this.model?.languages ?? ['en-US', 'zh-CN'],
      grammar: false,
      hints: false,
      sampleRates: [8000, 16000],
    };
  }

  stream(options: RecognizeOptions): RecognizeStream {
    try {
      if (!this.model) {
        throw new VoicebotError(
          'SPEECH_MODEL_MISSING',
          `sherpa-onnx: no streaming model${this.#opts.model ? ` named ${this.#opts.model}` : ''} in ${this.#opts.modelsDir}: ${SHERPA_MODEL_HELP}`,
          { modelsDir: this.#opts.modelsDir },
        );
      }
      if (!this.capabilities.languages.includes(options.language)) {
        throw new VoicebotError(
          'ASR_BAD_REQUEST',
          `sherpa-onnx: model ${this.model.name} does not speak ${options.language} (it speaks ${this.capabilities.languages.join(', ')})`,
          { language: options.language },
        );
      }
      const silenceMs = options.endpointSilenceMs ?? this.#opts.endpointSilenceMs ?? 800;
      return new SherpaStream(this.#recognizer(silenceMs), options);
    } catch (err) {
      return SherpaStream.failed(err);
    }
  }

  async close(): Promise<void> {
    this.#recognizers.clear();
  }

  /** Checks the model in a child process, then loads it here (for the default endpoint silence). */
  async load(silenceMs = this.#opts.endpointSilenceMs ?? 800): Promise<void> {
    if (!this.model) return;
    const config = this.#config(silenceMs);
    const key = JSON.stringify(config);
    if (!this.#verified.has(key)) {
      try {
        await promisify(execFile)(process.execPath, ['-e', PROBE, require.resolve('sherpa-onnx-node'), key], {
          maxBuffer: 1 << 20,
        });
      } catch (err) {
        throw probeFailure(String((err as { stderr?: string }).stderr ?? err), this.model.name);
      }
      this.#verified.add(key);
    }
    this.#recognizer(silenceMs);
  }

  /** One recognizer per endpoint-silence setting (the rule is fixed at creation). */
  #recognizer(silenceMs: number): OnlineRecognizer {
    const cached = this.#recognizers.get(silenceMs);
    if (cached) return cached;
    const config = this.#config(silenceMs);
    const key = JSON.stringify(config);
    if (!this.#verified.has(key)) {
      const r = spawnSync(process.execPath, ['-e', PROBE, require.resolve('sherpa-onnx-node'), key], {
        encoding: 'utf8',
      });
      if (r.status !== 0) throw probeFailure(r.stderr ?? String(r.error), this.model!.name);
      this.#verified.add(key);
    }
    const sherpa = require('sherpa-onnx-node') as SherpaModule;
    const recognizer = new sherpa.OnlineRecognizer(config);
    this.#recognizers.set(silenceMs, recognizer);
    return recognizer;
  }

  #config(silenceMs: number): Record<string, unknown> {
    const m = this.model!;
    const modelConfig: Record<string, unknown> = {
      tokens: m.tokens,
      numThreads: this.#opts.numThreads ?? 1,
      provider: 'cpu',
      debug: 0,
    };
    if (m.kind === 'transducer')
      modelConfig.transducer = { encoder: m.encoder, decoder: m.decoder, joiner: m.joiner };
    else if (m.kind === 'paraformer') modelConfig.paraformer = { encoder: m.encoder, decoder: m.decoder };
    else modelConfig.zipformer2Ctc = { model: m.model };
    return {
      featConfig: { sampleRate: MODEL_RATE, featureDim: 80 },
      modelConfig,
      decodingMethod: 'greedy_search',
      enableEndpoint: 1,
      rule1MinTrailingSilence: Math.max(1.2, silenceMs / 1000),
      rule2MinTrailingSilence: silenceMs / 1000,
      rule3MinUtteranceLength: 30,
    };
  }
}

class SherpaStream implements RecognizeStream {
  readonly #q = new EventQueue<AsrEvent>();
  readonly #r: OnlineRecognizer | undefined;
  readonly #s: OnlineStream | undefined;
  readonly #interim: boolean;
  #closed = false;
  #failed = false;
  #baseMs: number | undefined;
  /** Media time (ms from the first frame) of the audio pushed so far, and of the current segment's start. */
  #pushedMs = 0;
  #segmentStartMs = 0;
  #lastText = '';
  #inSpeech = false;
  #lastRate = MODEL_RATE;

  static failed(err: unknown): SherpaStream {
    const s = new SherpaStream(undefined, undefined);
    s.#fail(err);
    return s;
  }

  constructor(r: OnlineRecognizer | undefined, options: RecognizeOptions | undefined) {
    this.#r = r;
    this.#s = r?.createStream();
    this.#interim = options?.interimResults ?? false;
  }

  push(frame: AudioFrame): void {
    if (this.#closed)
      throw new VoicebotError('ASR_STREAM_CLOSED', 'sherpa-onnx: push after end() or close()');
    if (this.#failed || !this.#s) return;
    if (frame.sampleRate !== 8000 && frame.sampleRate !== 16000) {
      this.#fail(
        new VoicebotError(
          'AUDIO_BAD_RATE',
          `sherpa-onnx: frame at ${frame.sampleRate} Hz (use 8000 or 16000)`,
        ),
      );
      return;
    }
    this.#baseMs ??= frame.timestampMs;
    this.#lastRate = frame.sampleRate;
    const f = new Float32Array(frame.samples.length);
    for (let i = 0; i < f.length; i++) f[i] = frame.samples[i]! / 32768;
    this.#guard(() => {
      this.#s!.acceptWaveform({ samples: f, sampleRate: frame.sampleRate });
      this.#pushedMs += (frame.samples.length * 1000) / frame.sampleRate;
      this.#decode(false);
    });
  }

  flush(): void {
    if (this.#closed || this.#failed || !this.#s) return;
    this.#guard(() => {
      this.#tail();
      this.#decode(true);
    });
  }

  end(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#failed && this.#s) {
      this.#guard(() => {
        this.#tail();
        this.#s!.inputFinished();
        this.#decode(true);
      });
    }
    this.#q.end();
  }

  close(): void {
    this.#closed = true;
    this.#q.abort();
  }

  [Symbol.asyncIterator](): AsyncIterator<AsrEvent> {
    return this.#q[Symbol.asyncIterator]();
  }

  #tail(): void {
    const n = Math.round((TAIL_MS * this.#lastRate) / 1000);
    this.#s!.acceptWaveform({ samples: new Float32Array(n), sampleRate: this.#lastRate });
  }

  /** Decodes what is ready; emits start/interim, and a final at an endpoint or when forced. */
  #decode(force: boolean): void {
    const r = this.#r!;
    const s = this.#s!;
    while (r.isReady(s)) r.decode(s);
    const result = r.getResult(s);
    const text = result.text.trim();
    const base = this.#baseMs ?? 0;
    const segStartMs = result.start_time === undefined ? this.#segmentStartMs : 1000 * result.start_time;
    if (text && !this.#inSpeech) {
      this.#inSpeech = true;
      const firstTokenMs = segStartMs + 1000 * (result.timestamps?.[0] ?? 0);
      this.#q.push({ type: 'asr.speech_start', atMs: base + Math.min(firstTokenMs, this.#pushedMs) });
    }
    if (text && text !== this.#lastText && this.#interim) this.#q.push({ type: 'asr.interim', text });
    this.#lastText = text;
    if (!(force || r.isEndpoint(s))) return;
    if (text) {
      const ts = result.timestamps ?? [];
      const startMs = Math.min(segStartMs + 1000 * (ts[0] ?? 0), this.#pushedMs);
      const endMs = Math.min(Math.max(startMs, segStartMs + 1000 * (ts.at(-1) ?? 0) + 80), this.#pushedMs);
      const probs = result.ys_probs ?? [];
      const confidence = probs.length ? probs.reduce((a, p) => a + Math.exp(p), 0) / probs.length : 0.5;
      this.#q.push({
        type: 'asr.final',
        text,
        confidence: Math.min(1, Math.max(0, confidence)),
        startMs: base + startMs,
        endMs: base + endMs,
      });
      this.#q.push({ type: 'asr.speech_end', atMs: base + endMs });
    }
    this.#inSpeech = false;
    this.#lastText = '';
    this.#segmentStartMs = this.#pushedMs;
    r.reset(s);
  }

  #guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#fail(err);
    }
  }

  #fail(err: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    const code = isVoicebotError(err) ? err.code : 'ASR_FAILED';
    const retryable = isVoicebotError(err) ? err.retryable : false;
    this.#q.push({
      type: 'asr.error',
      code,
      message: err instanceof Error ? err.message : String(err),
      retryable,
    });
    this.#q.end();
  }
}
