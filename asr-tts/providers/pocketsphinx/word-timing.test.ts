/**
 * Word times are media time from the stream's own frames, also when the worker hands the stream
 * a decoder that has decoded before (pocketsphinx 5prealpha numbers segment frames from the
 * decoder's creation, through its warm-up and every earlier stream and utterance).
 */
import { afterAll, expect, it } from 'vitest';
import { toFrames } from '../../../engine/audio/frame.ts';
import type { AsrEvent, Grammar } from '../../asr.ts';
import { collect } from '../../testing/collect.ts';
import { concat, espeakClip, silence } from '../../testing/speech-audio.ts';
import { PocketsphinxAsr } from './pocketsphinx-asr.ts';

// One worker: every stream below gets the same (pooled, reused) grammar decoder.
const asr = new PocketsphinxAsr({ workers: 1 });
afterAll(() => asr.close());

const menu: Grammar = { kind: 'phrases', phrases: ['talk to a person', 'one small salad', 'yes'] };
type Final = Extract<AsrEvent, { type: 'asr.final' }>;

async function decode(samples: Int16Array, startMs: number): Promise<Final[]> {
  const s = asr.stream({ language: 'en-US', grammar: menu });
  for (const f of toFrames(samples, 8000, startMs)) s.push(f);
  s.end();
  return (await collect(s, 30_000)).filter((e): e is Final => e.type === 'asr.final');
}

it('word times are relative to the stream start on a reused decoder, for every utterance', async () => {
  const first = espeakClip('talk to a person', 8000, { padMs: 0 }).samples;
  const second = espeakClip('one small salad', 8000, { padMs: 0 }).samples;
  const firstAt = 1000;
  const secondAt = firstAt + (first.length / 8 + 1500);
  const audio = concat(silence(firstAt, 8000), first, silence(1500, 8000), second, silence(1000, 8000));
  // Earlier streams on the same decoder (the worker's warm-up came before them too).
  await decode(espeakClip('yes', 8000, { padMs: 600 }).samples, 0);
  await decode(audio, 0);
  const base = 40_000;
  const finals = await decode(audio, base);
  expect(finals.map((f) => f.text)).toEqual(['talk to a person', 'one small salad']);
  const [a, b] = finals as [Final, Final];
  // The recognizer's word edges are fuzzy (silence is absorbed, its VAD starts utterances
  // about 0.1 s early): 250 ms either side. Before the fix they were seconds late.
  expect(a.words?.[0]?.startMs).toBeGreaterThanOrEqual(base + firstAt - 250);
  expect(a.words?.[0]?.startMs).toBeLessThanOrEqual(base + firstAt + 250);
  expect(b.words?.[0]?.startMs).toBeGreaterThanOrEqual(base + secondAt - 250);
  expect(b.words?.[0]?.startMs).toBeLessThanOrEqual(base + secondAt + 250);
  expect(a.startMs).toBe(a.words?.[0]?.startMs);
  expect(b.endMs).toBeLessThanOrEqual(base + secondAt + second.length / 8 + 250);
}, 90_000);
