import type { AudioFrame, SampleRate } from '../engine/audio/frame.ts';
import type { PhraseRules } from './phrase-rules.ts';

/** Grammar restricts what the recognizer may return (great for yes/no, digits, short menus). */
export type Grammar =
  | { kind: 'yesno' }
  | { kind: 'digits'; minLength?: number; maxLength?: number }
  /**
   * `rules` (optional) is the same language written compactly, with combinations (phrase-rules.ts);
   * engines that take it recognize the rules, the others the flat `phrases`.
   */
  | { kind: 'phrases'; phrases: string[]; rules?: PhraseRules };

export type Language = 'en-US' | 'zh-CN';

export interface RecognizeOptions {
  language: Language;
  /** Words/phrases to favour (menu items, names). */
  hints?: string[];
  grammar?: Grammar;
  /** Silence after speech that ends an utterance. */
  endpointSilenceMs?: number;
  interimResults?: boolean;
}

export interface AsrWord {
  word: string;
  startMs: number;
  endMs: number;
  confidence?: number;
}

export type AsrEvent =
  | { type: 'asr.speech_start'; atMs: number }
  | { type: 'asr.interim'; text: string; stability?: number }
  | {
      type: 'asr.final';
      text: string;
      confidence: number;
      startMs: number;
      endMs: number;
      words?: AsrWord[];
      /**
       * Speech was heard but its best reading scored under the engine's rejection threshold
       * (grammar mode: the caller said something the grammar does not hold). `text` is then ''
       * and `confidence` the low score: a no-match, not silence.
       */
      rejected?: boolean;
    }
  | { type: 'asr.speech_end'; atMs: number }
  | { type: 'asr.error'; code: string; message: string; retryable: boolean };

export interface AsrCapabilities {
  streaming: boolean;
  interimResults: boolean;
  languages: Language[];
  grammar: boolean;
  hints: boolean;
  /** Rates the engine takes natively; others are resampled by the caller. */
  sampleRates: SampleRate[];
}

/**
 * One utterance-or-more recognition stream. Events come out as an async iterator (one consumer).
 * Rules every adapter keeps (checked by asr-tts/testing/asr-contract.ts):
 * - `stream()` never throws: engine, model and option problems (an unsupported language, a
 *   missing model) arrive as one `asr.error` event, then the iterator ends.
 * - `asr.speech_start` precedes the first `asr.final` of an utterance; finals carry a 0..1
 *   confidence and media-time `startMs <= endMs` taken from the pushed frames' timestamps.
 * - `push()` after `end()` or `close()` throws VoicebotError ASR_STREAM_CLOSED (a caller bug).
 * - `close()` is idempotent; events not yet read are dropped and the iterator ends at once.
 */
export interface RecognizeStream extends AsyncIterable<AsrEvent> {
  push(frame: AudioFrame): void;
  /** Force a final result for what was heard so far; the stream stays open. */
  flush(): void;
  /** No more audio: emit the last finals, then the iterator ends. */
  end(): void;
  /** Abort now; the iterator ends without more events. */
  close(): void;
}

export interface AsrAdapter {
  readonly name: string;
  readonly capabilities: AsrCapabilities;
  stream(options: RecognizeOptions): RecognizeStream;
  close?(): Promise<void>;
}
