import { describe, expect, it } from 'vitest';
import { isVoicebotError } from '../../../engine/errors.ts';
import { collect } from '../../testing/collect.ts';
import { rmsOf } from '../../testing/speech-audio.ts';
import { runTtsContract } from '../../testing/tts-contract.ts';
import { EspeakTts } from './espeak-tts.ts';

runTtsContract('espeak-ng en-US', () => new EspeakTts(), {
  language: 'en-US',
  text: 'Your order is two large pizzas and a bottle of water.',
});

runTtsContract('espeak-ng zh-CN', () => new EspeakTts(), {
  language: 'zh-CN',
  text: '我要两份饺子，还有一瓶水，谢谢。',
});

describe('EspeakTts', () => {
  it('speaks text that starts with a dash literally (text goes on stdin, not as options)', async () => {
    const frames = await collect(
      new EspeakTts().synthesize('-v xx hello', { language: 'en-US', sampleRate: 8000 }),
      10_000,
    );
    expect(frames.length).toBeGreaterThan(10);
  });

  it('gives the first frame before the whole of a long text is synthesized', async () => {
    const long = Array.from(
      { length: 30 },
      (_, i) => `Sentence number ${i + 1} of a long announcement.`,
    ).join(' ');
    const t0 = performance.now();
    let firstMs = 0;
    let n = 0;
    for await (const _ of new EspeakTts().synthesize(long, { language: 'en-US', sampleRate: 8000 })) {
      if (n++ === 0) firstMs = performance.now() - t0;
    }
    const totalMs = performance.now() - t0;
    expect(n * 20).toBeGreaterThan(60_000);
    expect(firstMs).toBeLessThan(totalMs / 2);
  });

  it('a voice of another language is TTS_BAD_REQUEST', async () => {
    const err = await collect(
      new EspeakTts().synthesize('hello', { language: 'en-US', voice: 'cmn', sampleRate: 8000 }),
      5000,
    ).catch((e: unknown) => e);
    expect(isVoicebotError(err) && err.code).toBe('TTS_BAD_REQUEST');
  });

  it('a missing program is SPEECH_ENGINE_MISSING naming it', async () => {
    const tts = new EspeakTts({ espeakPath: 'espeak-ng-not-installed' });
    const err = await collect(tts.synthesize('hello', { language: 'en-US', sampleRate: 8000 }), 5000).catch(
      (e: unknown) => e,
    );
    expect(isVoicebotError(err) && err.code).toBe('SPEECH_ENGINE_MISSING');
    expect((err as Error).message).toMatch(/espeak-ng-not-installed/);
  });

  it('different voices sound different', async () => {
    const tts = new EspeakTts();
    const a = await collect(
      tts.synthesize('hello there', { language: 'en-US', voice: 'en-us', sampleRate: 8000 }),
      5000,
    );
    const b = await collect(
      tts.synthesize('hello there', { language: 'en-US', voice: 'en-us+f3', sampleRate: 8000 }),
      5000,
    );
    expect(rmsOf(a[5]!.samples)).not.toBe(rmsOf(b[5]!.samples));
  });
});
