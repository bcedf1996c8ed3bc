/**
 * A scripted AsrAdapter for dialog tests. It behaves like a real streaming recognizer: it finds
 * speech by frame energy in the pushed audio, emits speech_start, then on endpoint silence (or
 * flush/end) a final whose text is the next scripted result, honours grammars (an out-of-grammar
 * result becomes an empty no-match final) and reports failures as `asr.error` events.
 */
import type { AudioFrame } from '../../engine/audio/frame.ts';
import { VoicebotError } from '../../engine/errors.ts';
import type { AsrAdapter, AsrCapabilities, AsrEvent, RecognizeOptions, RecognizeStream } from '../asr.ts';
import { EventQueue } from '../event-queue.ts';
import { matchesGrammar } from '../grammar.ts';
import { rmsOf } from './speech-audio.ts';

export interface FakeAsrOptions {
  /**
   * Text of the 1st, 2nd, ... utterance of each stream (cycled), or a function of the stream's
   * options and the utterance index; a result may carry its confidence (default 0.9).
   */
  results: ScriptedResult[] | ((options: RecognizeOptions, index: number) => ScriptedResult);
  /** Frame RMS (sample units) above which a frame counts as speech. */
  speechRms?: number;
  /** After this many pushed frames the stream fails with a retryable ASR_FAILED. */
  failAfterFrames?: number;
}

export type ScriptedResult = string | { text: string; confidence: number };

const CAPS: AsrCapabilities = {
  streaming: true,
  interimResults: false,
  languages: ['en-US', 'zh-CN'],
  grammar: true,
  hints: false,
  sampleRates: [8000, 16000],
};

export class FakeAsr implements AsrAdapter {
  readonly name = 'fake';
  readonly capabilities = CAPS;
  readonly #opts: FakeAsrOptions;

  constructor(opts: FakeAsrOptions) {
    this.#opts = opts;
  }

  stream(options: RecognizeOptions): RecognizeStream {
    return new FakeStream(this.#opts, options);
  }
}

class FakeStream implements RecognizeStream {
  readonly #q = new EventQueue<AsrEvent>();
  readonly #opts: FakeAsrOptions;
  readonly #ro: RecognizeOptions;
  #closed = false;
  #frames = 0;
  #utterance = 0;
  #inSpeech = false;
  /** Start of the speech not yet covered by a final. */
  #heardFromMs: number | undefined;
  #lastSpeechEndMs = 0;
  #silenceMs = 0;

  constructor(opts: FakeAsrOptions, ro: RecognizeOptions) {
    this.#opts = opts;
    this.#ro = ro;
    if (!CAPS.languages.includes(ro.language)) {
      this.#fail('ASR_BAD_REQUEST', `fake: language ${ro.language} is not supported`, false);
    }
  }

  push(frame: AudioFrame): void {
    if (this.#closed) throw new VoicebotError('ASR_STREAM_CLOSED', 'fake: push after end() or close()');
    if (this.#q.ended) return;
    this.#frames++;
    if (this.#opts.failAfterFrames !== undefined && this.#frames > this.#opts.failAfterFrames) {
      this.#fail('ASR_FAILED', 'fake: scripted engine failure', true);
      return;
    }
    const frameMs = (frame.samples.length * 1000) / frame.sampleRate;
    if (rmsOf(frame.samples) > (this.#opts.speechRms ?? 300)) {
      if (!this.#inSpeech) {
        this.#inSpeech = true;
        this.#q.push({ type: 'asr.speech_start', atMs: frame.timestampMs });
      }
      this.#heardFromMs ??= frame.timestampMs;
      this.#lastSpeechEndMs = frame.timestampMs + frameMs;
      this.#silenceMs = 0;
    } else if (this.#inSpeech) {
      this.#silenceMs += frameMs;
      if (this.#silenceMs >= (this.#ro.endpointSilenceMs ?? 600)) this.#endpoint();
    }
  }

  flush(): void {
    if (!this.#closed) this.#final();
  }

  end(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#inSpeech) this.#endpoint();
    this.#q.end();
  }

  close(): void {
    this.#closed = true;
    this.#q.abort();
  }

  [Symbol.asyncIterator](): AsyncIterator<AsrEvent> {
    return this.#q[Symbol.asyncIterator]();
  }

  #endpoint(): void {
    this.#final();
    this.#q.push({ type: 'asr.speech_end', atMs: this.#lastSpeechEndMs });
    this.#inSpeech = false;
    this.#silenceMs = 0;
  }

  /** A final for the speech heard since the last one (none when nothing was heard). */
  #final(): void {
    if (this.#heardFromMs === undefined || this.#q.ended) return;
    const n = this.#utterance++;
    const { results } = this.#opts;
    const r = typeof results === 'function' ? results(this.#ro, n) : (results[n % results.length] ?? '');
    const scripted = typeof r === 'string' ? { text: r, confidence: 0.9 } : r;
    const inGrammar = !this.#ro.grammar || matchesGrammar(this.#ro.grammar, scripted.text);
    this.#q.push({
      type: 'asr.final',
      text: inGrammar ? scripted.text : '',
      confidence: inGrammar ? scripted.confidence : 0,
      startMs: this.#heardFromMs,
      endMs: this.#lastSpeechEndMs,
    });
    this.#heardFromMs = undefined;
  }

  #fail(code: string, message: string, retryable: boolean): void {
    this.#q.push({ type: 'asr.error', code, message, retryable });
    this.#q.end();
  }
}
