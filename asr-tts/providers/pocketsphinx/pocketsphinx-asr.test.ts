import { afterAll, describe, expect, it } from 'vitest';
import { mulawDecode, mulawEncode } from '../../../engine/audio/g711.ts';
import type { Grammar } from '../../asr.ts';
import { runAsrContract } from '../../testing/asr-contract.ts';
import { collect } from '../../testing/collect.ts';
import { espeakClip, frames } from '../../testing/speech-audio.ts';
import { PocketsphinxAsr } from './pocketsphinx-asr.ts';

const shared = new PocketsphinxAsr({ workers: 1 });
afterAll(() => shared.close());

const menu: Grammar = {
  kind: 'phrases',
  phrases: ['two large pizzas', 'one small salad', 'talk to a person'],
};

/** Ordering answers as phrase rules (a word the dictionary lacks, zorblatt, is left out). */
const order: Grammar = {
  kind: 'phrases',
  phrases: ['congee', 'coke'],
  rules: {
    root: ['[i want] <line> [and <line>] [please]', 'talk to a person'],
    rules: {
      // Number and plural agree ("a bowl", "two bowls"): the plural s is weak on the phone.
      line: ['<one> <item>', '<many> <items>', '<one> <unit> of <item>', '<many> <units> of <item>'],
      one: ['one', 'a'],
      many: ['two', 'three'],
      unit: ['bowl', 'bottle'],
      units: ['bowls', 'bottles'],
      item: ['congee', 'wonton soup', 'coke', 'pizza', 'zorblatt'],
      items: ['cokes', 'pizzas', 'zorblatts'],
    },
  },
};

runAsrContract('pocketsphinx (grammar)', () => shared, {
  language: 'en-US',
  utterance: espeakClip('two large pizzas', 16000),
  options: { grammar: menu },
  grammarCases: [
    { clip: espeakClip('yes', 8000), grammar: { kind: 'yesno' }, expected: 'yes' },
    { clip: espeakClip('no', 16000), grammar: { kind: 'yesno' }, expected: 'no' },
    { clip: espeakClip('talk to a person', 16000), grammar: menu, expected: 'talk to a person' },
  ],
  makeBroken: () => new PocketsphinxAsr({ modelDir: '/nonexistent/pocketsphinx-model' }),
  timeoutMs: 30_000,
});

describe('PocketsphinxAsr', () => {
  it('maps a digits grammar result to a digit string of allowed length', async () => {
    const s = shared.stream({ language: 'en-US', grammar: { kind: 'digits', minLength: 2, maxLength: 4 } });
    for (const f of frames(espeakClip('four two seven', 16000, { wpm: 170, padMs: 800 }).samples, 16000))
      s.push(f);
    s.end();
    const fin = (await collect(s, 30_000)).find((e) => e.type === 'asr.final');
    expect(fin && fin.type === 'asr.final' ? fin.text : '').toMatch(/^42\d{0,2}$/);
  });

  it('recognizes open vocabulary with the en-us language model (weak, but words come out)', async () => {
    const s = shared.stream({ language: 'en-US' });
    for (const f of frames(espeakClip('hello world', 16000).samples, 16000)) s.push(f);
    s.end();
    const fin = (await collect(s, 30_000)).filter((e) => e.type === 'asr.final');
    expect(fin.length).toBeGreaterThan(0);
    expect(fin.map((f) => (f.type === 'asr.final' ? f.text : '')).join(' ')).toMatch(/\w/);
  });

  it('phrase rules: combinations heard through the phone channel, extra.dict words included', async () => {
    for (const text of ['two bowls of congee and a coke', 'three pizzas please', 'talk to a person']) {
      const s = shared.stream({ language: 'en-US', grammar: order });
      const clip = espeakClip(text, 8000, { padMs: 600 });
      for (const f of frames(mulawDecode(mulawEncode(clip.samples)), 8000)) s.push(f);
      s.end();
      const events = await collect(s, 30_000);
      const text8k = events
        .map((e) => (e.type === 'asr.final' ? e.text : ''))
        .join(' ')
        .trim();
      expect(text8k, JSON.stringify(events)).toBe(text);
    }
  });

  it('scores off-menu speech low and rejects it under the threshold (no text), menu answers high', async () => {
    // The default threshold is calibrated on the voice-order catalog grammars through a noisy
    // phone channel (bench/voice-order-asr.ts); on this small grammar and clean audio, menu
    // answers score 0.94-0.99 and these off-menu ones 0.51-0.59, so 0.8 splits them here.
    const strict = new PocketsphinxAsr({ workers: 1, rejectBelow: 0.8 });
    const open = new PocketsphinxAsr({ workers: 1, rejectBelow: 0 });
    const finalsOf = async (asr: PocketsphinxAsr, text: string) => {
      const s = asr.stream({ language: 'en-US', grammar: order });
      const clip = espeakClip(text, 8000, { padMs: 600 });
      for (const f of frames(mulawDecode(mulawEncode(clip.samples)), 8000)) s.push(f);
      s.end();
      return (await collect(s, 30_000)).filter((e) => e.type === 'asr.final');
    };
    try {
      for (const text of ['three pizzas please', 'i want a coke', 'talk to a person']) {
        const menu = await finalsOf(strict, text);
        expect(menu, text).toMatchObject([{ text }]);
        expect(menu[0]?.confidence, text).toBeGreaterThanOrEqual(0.8);
        expect(menu[0], text).not.toHaveProperty('rejected');
      }
      for (const text of ['can you deliver it tomorrow morning', 'a hot dog and a milkshake']) {
        const off = await finalsOf(strict, text);
        expect(off.length, text).toBeGreaterThan(0);
        for (const f of off) expect(f, text).toMatchObject({ text: '', rejected: true });
        for (const f of off) expect(f.confidence, text).toBeLessThan(0.8);
        // With no threshold the grammar's forced reading comes out, with its low confidence.
        const forced = await finalsOf(open, text);
        expect(forced.map((f) => f.text).join(' '), text).toMatch(/\w/);
        expect(Math.max(...forced.map((f) => f.confidence)), text).toBeLessThan(0.8);
      }
    } finally {
      await strict.close();
      await open.close();
    }
  }, 90_000);

  it('knows which words it can hear (cmudict + extra.dict)', () => {
    expect(shared.unknownWords(['pizza', 'congee', 'zorblatt', 'jiaozi'])).toEqual(['zorblatt']);
  });

  it('a word outside the dictionary is a clear non-retryable ASR_BAD_REQUEST', async () => {
    const s = shared.stream({ language: 'en-US', grammar: { kind: 'phrases', phrases: ['zorblatt pizza'] } });
    s.end();
    const err = (await collect(s, 30_000)).find((e) => e.type === 'asr.error');
    expect(err).toMatchObject({ code: 'ASR_BAD_REQUEST', retryable: false });
    expect(err && 'message' in err ? err.message : '').toMatch(/zorblatt/);
  });

  it('a missing python is SPEECH_ENGINE_MISSING', async () => {
    const a = new PocketsphinxAsr({ python: '/nonexistent/python3' });
    const s = a.stream({ language: 'en-US', grammar: { kind: 'yesno' } });
    s.end();
    const err = (await collect(s, 30_000)).find((e) => e.type === 'asr.error');
    expect(err).toMatchObject({ code: 'SPEECH_ENGINE_MISSING', retryable: false });
    await a.close();
  });

  it('a worker killed mid-stream surfaces as a retryable asr.error on its streams', async () => {
    const a = new PocketsphinxAsr();
    await a.warmUp();
    const s = a.stream({ language: 'en-US', grammar: { kind: 'yesno' } });
    const clip = espeakClip('yes', 16000);
    for (const f of frames(clip.samples, 16000).slice(0, 5)) s.push(f);
    await a.close();
    const err = (await collect(s, 10_000)).find((e) => e.type === 'asr.error');
    expect(err).toMatchObject({ code: 'ASR_FAILED', retryable: true });
  });
});
