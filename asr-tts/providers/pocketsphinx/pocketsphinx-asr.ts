/**
 * Embedded ASR with CMU pocketsphinx (Debian packages pocketsphinx-en-us + python3-pocketsphinx),
 * English only. Strong in grammar mode (yes/no, digits, menu phrases as JSGF); open vocabulary
 * uses the generic en-us language model and is weak (see docs/speech.md for measured WER).
 * Audio is taken at 8 or 16 kHz. The acoustic model is wideband (16 kHz); 8 kHz audio is
 * up-sampled by zero-stuffing WITHOUT an anti-image filter, on purpose: the mirrored 4-8 kHz
 * images make telephone speech look more like the wideband speech the model was trained on.
 * Measured on espeak-ng phrases at 8 kHz with a phrase grammar: 2/5 correct with a clean
 * (filtered) up-sampler, 4/5 with zero-stuffing.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AudioFrame } from '../../../engine/audio/frame.ts';
import { isVoicebotError, VoicebotError } from '../../../engine/errors.ts';
import type { AsrAdapter, AsrCapabilities, AsrEvent, RecognizeOptions, RecognizeStream } from '../../asr.ts';
import { EventQueue } from '../../event-queue.ts';
import { EXTRA_DICT, makeVocabulary } from './dictionary.ts';
import { type Jsgf, toJsgf } from './jsgf.ts';
import { defaultWorkers } from './pool-size.ts';
import { PsWorker, type WorkerEvent } from './ps-worker.ts';
import { DEFAULT_REJECT_BELOW, grammarConfidence, isRejected } from './rejection.ts';

export const DEFAULT_POCKETSPHINX_MODEL = '/usr/share/pocketsphinx/model/en-us';

export interface PocketsphinxOptions {
  /** Folder with en-us/ (acoustic model), cmudict-en-us.dict and en-us.lm.bin. */
  modelDir?: string;
  /** Python with the pocketsphinx module (the system one: Debian's module is built for it). */
  python?: string;
  /**
   * Worker processes (one core each); a stream goes to an idle worker, a new one is started
   * while there are fewer than this, else the least loaded. Default defaultWorkers(): one per
   * core (pool-size.ts). One worker for several calls queues their audio: finals come late.
   */
  workers?: number;
  /** Load the open-vocabulary language model when a worker starts (1.5 s) instead of on first use. */
  preloadLm?: boolean;
  /** RMS (sample units) of white noise added before decoding; 0 turns it off. See COMFORT_NOISE_RMS. */
  comfortNoiseRms?: number;
  /**
   * Pronunciation files (cmudict format) added after the shipped extra.dict: words of your
   * catalog the CMU dictionary lacks. Phrase-rule words found in none are left out of grammars.
   */
  extraDicts?: string[];
  /**
   * Grammar mode: score each final against a free phone loop (rejection.ts) for a real
   * confidence and rejection. Costs about one more grammar search of CPU per stream; false
   * turns it off (confidence is then always 1, as the grammar search alone gives).
   */
  rejection?: boolean;
  /**
   * Grammar finals under this confidence come out rejected: text '', `rejected: true` (the
   * caller said something off the grammar). Default DEFAULT_REJECT_BELOW; 0 rejects nothing.
   */
  rejectBelow?: number;
}

/**
 * Pocketsphinx's VAD and cepstral mean normalization misbehave on digitally silent gaps (the
 * noise floor estimate collapses). A little white noise (about -64 dBFS), as any real line has,
 * helps: on the clean 8 kHz fixture phrases with a menu grammar, 13/15 exact without, 15/15 with
 * (bench/speech-asr.ts).
 */
export const COMFORT_NOISE_RMS = 20;

const CAPS: AsrCapabilities = {
  streaming: true,
  interimResults: false,
  languages: ['en-US'],
  grammar: true,
  hints: false,
  sampleRates: [8000, 16000],
};

export class PocketsphinxAsr implements AsrAdapter {
  readonly name = 'pocketsphinx';
  readonly capabilities = CAPS;
  readonly #opts: Required<PocketsphinxOptions>;
  #workers: PsWorker[] = [];
  #nextId = 1;
  #vocabulary: ((word: string) => boolean) | undefined;

  constructor(opts: PocketsphinxOptions = {}) {
    this.#opts = {
      modelDir: opts.modelDir ?? DEFAULT_POCKETSPHINX_MODEL,
      python: opts.python ?? '/usr/bin/python3',
      workers: Math.max(1, opts.workers ?? defaultWorkers()),
      preloadLm: opts.preloadLm ?? false,
      comfortNoiseRms: opts.comfortNoiseRms ?? COMFORT_NOISE_RMS,
      extraDicts: [EXTRA_DICT, ...(opts.extraDicts ?? [])],
      rejection: opts.rejection ?? true,
      rejectBelow: opts.rejectBelow ?? DEFAULT_REJECT_BELOW,
    };
  }

  /** Whether the recognizer can hear a word (the dictionaries, read on first use). */
  knows(word: string): boolean {
    this.#vocabulary ??= makeVocabulary(
      join(this.#opts.modelDir, 'cmudict-en-us.dict'),
      this.#opts.extraDicts,
    );
    return this.#vocabulary(word.toLowerCase());
  }

  /** The words of a list the recognizer cannot hear (to warn about catalog names at start-up). */
  unknownWords(words: Iterable<string>): string[] {
    return [...new Set(words)].filter((w) => !this.knows(w));
  }

  /** Starts the workers now (model loading takes ~0.6 s) instead of on the first stream. */
  async warmUp(): Promise<void> {
    while (this.#workers.length < this.#opts.workers) this.#workers.push(this.#spawn());
    await Promise.all(this.#workers.map((w) => w.ready));
  }

  stream(options: RecognizeOptions): RecognizeStream {
    return new PsStream(
      this.#nextId++,
      options,
      (id) => this.#pickWorker(id),
      this.#opts.comfortNoiseRms,
      (w) => this.knows(w),
      this.#opts.rejectBelow,
    );
  }

  async close(): Promise<void> {
    for (const w of this.#workers) w.kill();
    this.#workers = [];
  }

  #spawn(): PsWorker {
    const o = this.#opts;
    return new PsWorker(o.python, o.modelDir, o.preloadLm, o.extraDicts, o.rejection);
  }

  /** Worker processes running now (started by warmUp or by streams, up to `workers`). */
  get processes(): number {
    return this.#workers.filter((w) => w.alive).length;
  }

  #pickWorker(id: number): PsWorker {
    const dir = this.#opts.modelDir;
    for (const f of ['en-us/mdef', 'cmudict-en-us.dict']) {
      if (!existsSync(join(dir, f))) {
        throw new VoicebotError(
          'SPEECH_MODEL_MISSING',
          `pocketsphinx: ${join(dir, f)} is missing (install the Debian package pocketsphinx-en-us or set modelDir)`,
          { modelDir: dir },
        );
      }
    }
    this.#workers = this.#workers.filter((w) => w.alive);
    let w = this.#workers.find((x) => x.load === 0);
    if (!w && this.#workers.length < this.#opts.workers) {
      w = this.#spawn();
      this.#workers.push(w);
    }
    w ??= this.#workers.reduce((a, b) => (b.load < a.load ? b : a));
    w.claim(id);
    return w;
  }
}

class PsStream implements RecognizeStream {
  readonly #id: number;
  readonly #q = new EventQueue<AsrEvent>();
  #worker: PsWorker | undefined;
  #jsgf: Jsgf | undefined;
  /** Opened on the worker at the first frame, when the band (8 or 16 kHz audio) is known. */
  #opened = false;
  #baseMs: number | undefined;
  #closed = false;
  #failed = false;

  readonly #noiseRms: number;
  readonly #rejectBelow: number;
  #seed = 0x9e3779b9;

  constructor(
    id: number,
    options: RecognizeOptions,
    pickWorker: (id: number) => PsWorker,
    noiseRms: number,
    known: (word: string) => boolean,
    rejectBelow: number,
  ) {
    this.#id = id;
    this.#noiseRms = noiseRms;
    this.#rejectBelow = rejectBelow;
    try {
      if (!CAPS.languages.includes(options.language)) {
        throw new VoicebotError(
          'ASR_BAD_REQUEST',
          `pocketsphinx: language ${options.language} is not supported (en-US only)`,
          {
            language: options.language,
          },
        );
      }
      this.#worker = pickWorker(id);
      this.#jsgf = options.grammar ? toJsgf(options.grammar, known) : undefined;
    } catch (err) {
      this.#fail(
        isVoicebotError(err) ? err.code : 'ASR_FAILED',
        err instanceof Error ? err.message : String(err),
        isVoicebotError(err) ? err.retryable : false,
      );
    }
  }

  /**
   * Opens the stream on the worker. Telephone (8 kHz) and wideband streams use decoders of
   * their own: their cepstral means differ, and a decoder carries its mean from one stream to
   * the next.
   */
  #open(band: 'narrow' | 'wide'): void {
    if (this.#opened || !this.#worker) return;
    this.#opened = true;
    const search = this.#jsgf
      ? { search: 'jsgf', jsgf: this.#jsgf.text, words: this.#jsgf.words }
      : { search: 'lm' };
    this.#worker.open(this.#id, { ...search, band }, (e) => this.#onEvent(e));
  }

  push(frame: AudioFrame): void {
    if (this.#closed)
      throw new VoicebotError('ASR_STREAM_CLOSED', 'pocketsphinx: push after end() or close()');
    if (this.#failed || !this.#worker) return;
    if (frame.sampleRate !== 8000 && frame.sampleRate !== 16000) {
      this.#fail(
        'AUDIO_BAD_RATE',
        `pocketsphinx: frame at ${frame.sampleRate} Hz (use 8000 or 16000)`,
        false,
      );
      return;
    }
    this.#open(frame.sampleRate === 8000 ? 'narrow' : 'wide');
    this.#baseMs ??= frame.timestampMs;
    let samples = frame.sampleRate === 8000 ? zeroStuff(frame.samples) : frame.samples;
    if (this.#noiseRms > 0) samples = this.#addNoise(samples);
    const pcm = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength).toString('base64');
    this.#worker.send({ op: 'audio', id: this.#id, pcm });
  }

  flush(): void {
    if (!this.#closed && !this.#failed && this.#opened) this.#worker?.send({ op: 'flush', id: this.#id });
  }

  end(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#failed || !this.#worker) {
      this.#q.end();
      return;
    }
    // No audio: still opened, so that a bad grammar or a dead engine is reported.
    this.#open('narrow');
    this.#worker.send({ op: 'end', id: this.#id });
  }

  close(): void {
    if (this.#closed && this.#q.ended) return;
    this.#closed = true;
    this.#q.abort();
    this.#worker?.send({ op: 'close', id: this.#id });
    this.#worker?.forget(this.#id);
  }

  [Symbol.asyncIterator](): AsyncIterator<AsrEvent> {
    return this.#q[Symbol.asyncIterator]();
  }

  /** Adds uniform white noise of the configured RMS (xorshift32: deterministic per stream). */
  #addNoise(samples: Int16Array): Int16Array {
    const out = new Int16Array(samples.length);
    const amp = this.#noiseRms * Math.sqrt(12);
    let s = this.#seed;
    for (let i = 0; i < samples.length; i++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      out[i] = Math.min(
        32767,
        Math.max(-32768, Math.round(samples[i]! + ((s >>> 0) / 4294967296 - 0.5) * amp)),
      );
    }
    this.#seed = s;
    return out;
  }

  #onEvent(e: WorkerEvent): void {
    const base = this.#baseMs ?? 0;
    switch (e.ev) {
      case 'speech_start':
      case 'speech_end':
        this.#q.push({
          type: e.ev === 'speech_start' ? 'asr.speech_start' : 'asr.speech_end',
          atMs: base + e.atMs,
        });
        break;
      case 'final':
        this.#q.push(this.#final(e, base));
        break;
      case 'ended':
        this.#worker?.forget(this.#id);
        this.#q.end();
        break;
      case 'error':
        this.#worker?.forget(this.#id);
        this.#fail(e.code, e.message, e.retryable ?? false);
        break;
    }
  }

  /** Worker times are from the stream's first sample; media time adds its timestamp. */
  #final(e: Extract<WorkerEvent, { ev: 'final' }>, base: number): AsrEvent {
    const confidence = e.llr === undefined ? e.confidence : grammarConfidence(e.llr);
    const span = { startMs: base + e.startMs, endMs: base + e.endMs };
    if (e.llr !== undefined && isRejected(confidence, this.#rejectBelow)) {
      return { type: 'asr.final', text: '', confidence, ...span, rejected: true };
    }
    return {
      type: 'asr.final',
      text: this.#jsgf ? this.#jsgf.toResult(e.text) : e.text,
      confidence,
      ...span,
      words: e.words.map(([word, s, t, c]) => ({
        word,
        startMs: base + s,
        endMs: base + t,
        confidence: e.llr === undefined ? c : confidence,
      })),
    };
  }

  #fail(code: string, message: string, retryable: boolean): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#worker?.forget(this.#id);
    this.#q.push({ type: 'asr.error', code, message, retryable });
    this.#q.end();
  }
}

/** 8 kHz -> 16 kHz by inserting a zero after each sample (gain 2 keeps the level); keeps the images. */
export function zeroStuff(samples: Int16Array): Int16Array {
  const out = new Int16Array(samples.length * 2);
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i]! * 2;
    out[2 * i] = Math.min(32767, Math.max(-32768, v));
  }
  return out;
}
