/**
 * A deterministic TtsAdapter for dialog tests: each character becomes a short tone (pitch from the
 * character, length scaled by `rate`), streamed in 20 ms frames a few at a time like a real engine,
 * validated like a real one, and abortable.
 */
import type { AudioFrame, SampleRate } from '../../engine/audio/frame.ts';
import { FrameChunker } from '../frame-chunker.ts';
import type { SynthesizeOptions, TtsAdapter, TtsCapabilities } from '../tts.ts';
import { validateSynthesis } from '../tts-options.ts';

const CAPS: TtsCapabilities = {
  streaming: true,
  languages: ['en-US', 'zh-CN'],
  voices: ['fake-low', 'fake-high'],
  sampleRates: [8000, 16000],
};

/** Milliseconds of tone per character at rate 1. */
const CHAR_MS = 60;

function tone(ch: string, ms: number, rate: SampleRate, highVoice: boolean): Int16Array {
  const out = new Int16Array(Math.round((ms * rate) / 1000));
  if (/\s/.test(ch)) return out;
  const hz = (highVoice ? 400 : 200) + ((ch.codePointAt(0) ?? 0) % 32) * 20;
  for (let i = 0; i < out.length; i++) out[i] = Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / rate));
  return out;
}

export class FakeTts implements TtsAdapter {
  readonly name = 'fake';
  readonly capabilities = CAPS;
  /** Texts synthesized so far, for assertions in dialog tests. */
  readonly spoken: string[] = [];

  async *synthesize(
    text: string,
    options: SynthesizeOptions,
    signal?: AbortSignal,
  ): AsyncIterable<AudioFrame> {
    validateSynthesis(this.name, CAPS, text, options);
    if (signal?.aborted) return;
    this.spoken.push(text);
    const chunker = new FrameChunker(options.sampleRate);
    const ms = CHAR_MS / (options.rate ?? 1);
    for (const ch of text) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (signal?.aborted) return;
      for (const f of chunker.push(tone(ch, ms, options.sampleRate, options.voice === 'fake-high'))) {
        yield f;
        if (signal?.aborted) return;
      }
    }
    const last = chunker.flush();
    if (last) yield last;
  }
}
