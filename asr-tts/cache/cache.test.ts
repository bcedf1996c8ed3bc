import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readWav } from '../../engine/audio/wav.ts';
import { isVoicebotError } from '../../engine/errors.ts';
import type { Language } from '../asr.ts';
import { EspeakTts } from '../providers/espeak/espeak-tts.ts';
import { collect } from '../testing/collect.ts';
import { joinFrames } from '../testing/speech-audio.ts';
import { runTtsContract } from '../testing/tts-contract.ts';
import type { SynthesizeOptions } from '../tts.ts';
import { promptKey } from './cache-key.ts';
import { CachedTts } from './cached-tts.ts';
import { importPrompt } from './import-prompt.ts';
import { ByteLru } from './lru.ts';

const root = mkdtempSync(join(tmpdir(), 'voicebot-cache-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `c${n++}`);
const o8: SynthesizeOptions = { language: 'en-US', sampleRate: 8000 };
const text = 'Thank you for calling. Your order is on its way.';

runTtsContract(
  'cached espeak-ng (disk + memory)',
  () => new CachedTts(new EspeakTts(), { dir: freshDir() }),
  {
    language: 'en-US',
    text,
  },
);

describe('promptKey', () => {
  it('changes with every field that changes the audio, and only with them', () => {
    const base = { engine: 'espeak-ng', text: 'Hello', options: o8 };
    const k = promptKey(base);
    expect(promptKey({ ...base, text: ' Hello ' })).toBe(k);
    for (const v of [
      { ...base, engine: 'other' },
      { ...base, text: 'Hello!' },
      { ...base, options: { ...o8, language: 'zh-CN' as Language } },
      { ...base, options: { ...o8, voice: 'en-us+f3' } },
      { ...base, options: { ...o8, rate: 0.8 } },
      { ...base, options: { ...o8, sampleRate: 16000 as const } },
    ]) {
      expect(promptKey(v)).not.toBe(k);
    }
    expect(k).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('ByteLru', () => {
  it('keeps the total under the byte budget, evicting the least recently used', () => {
    const lru = new ByteLru(100);
    lru.set('a', new Int16Array(20));
    lru.set('b', new Int16Array(20));
    lru.get('a');
    lru.set('c', new Int16Array(20));
    expect([lru.get('a') !== undefined, lru.get('b') !== undefined, lru.get('c') !== undefined]).toEqual([
      true,
      false,
      true,
    ]);
    expect(lru.bytes).toBe(80);
    lru.set('huge', new Int16Array(51));
    expect(lru.get('huge')).toBeUndefined();
    expect(lru.bytes).toBe(80);
  });
});

describe('CachedTts', () => {
  it('a second request is served from memory, identical and much faster to first audio', async () => {
    const tts = new CachedTts(new EspeakTts());
    const t0 = performance.now();
    const first = await collect(tts.synthesize(text, o8), 10_000);
    const missMs = performance.now() - t0;
    const t1 = performance.now();
    const it = tts.synthesize(text, o8)[Symbol.asyncIterator]();
    await it.next();
    const hitFirstFrameMs = performance.now() - t1;
    await it.return?.();
    const again = await collect(tts.synthesize(text, o8), 10_000);
    expect(joinFrames(again)).toEqual(joinFrames(first));
    expect(again.map((f) => f.timestampMs)).toEqual(first.map((f) => f.timestampMs));
    expect(tts.stats).toMatchObject({ misses: 1, memoryHits: 2 });
    expect(hitFirstFrameMs).toBeLessThan(missMs / 5);
  });

  it('a new instance on the same folder is served from disk; files are whole WAVs, no temp files left', async () => {
    const dir = freshDir();
    const a = new CachedTts(new EspeakTts(), { dir });
    const first = await collect(a.synthesize(text, o8), 10_000);
    const b = new CachedTts(new EspeakTts(), { dir });
    const again = await collect(b.synthesize(text, o8), 10_000);
    expect(b.stats).toMatchObject({ diskHits: 1, misses: 0 });
    expect(joinFrames(again)).toEqual(joinFrames(first));
    const files = readdirSync(dir, { recursive: true }).map(String);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const wavs = files.filter((f) => f.endsWith('.wav'));
    expect(wavs).toHaveLength(1);
    expect(readWav(readFileSync(join(dir, wavs[0]!))).sampleRate).toBe(8000);
  });

  it('a damaged cache file is a miss and is rendered again', async () => {
    const dir = freshDir();
    const a = new CachedTts(new EspeakTts(), { dir });
    await collect(a.synthesize(text, o8), 10_000);
    const wav = readdirSync(dir, { recursive: true })
      .map(String)
      .find((f) => f.endsWith('.wav'))!;
    writeFileSync(join(dir, wav), 'garbage');
    const b = new CachedTts(new EspeakTts(), { dir });
    expect((await collect(b.synthesize(text, o8), 10_000)).length).toBeGreaterThan(10);
    expect(b.stats).toMatchObject({ diskHits: 0, misses: 1 });
  });

  it('an aborted render is not cached', async () => {
    const tts = new CachedTts(new EspeakTts());
    const ac = new AbortController();
    for await (const _ of tts.synthesize(text, o8, ac.signal)) ac.abort();
    await collect(tts.synthesize(text, o8), 10_000);
    expect(tts.stats).toMatchObject({ misses: 2, memoryHits: 0 });
  });

  it('prerender renders what is missing, reports failures and goes on', async () => {
    const tts = new CachedTts(new EspeakTts(), { dir: freshDir() });
    const prompts = [
      { text: 'Welcome.', options: o8 },
      { text: 'Bad language.', options: { ...o8, language: 'xx-XX' as Language } },
      { text: '欢迎光临。', options: { language: 'zh-CN' as Language, sampleRate: 16000 as const } },
    ];
    const r = await tts.prerender(prompts);
    expect(r.rendered).toBe(2);
    expect(r.failed.map((f) => f.text)).toEqual(['Bad language.']);
    expect(isVoicebotError(r.failed[0]!.error) && r.failed[0]!.error.code).toBe('TTS_BAD_REQUEST');
    expect((await tts.prerender(prompts)).cached).toBe(2);
  });
});

describe('importPrompt', () => {
  const dir = mkdtempSync(join(root, 'prompts-'));
  const mp3 = join(dir, 'greeting.mp3');
  const wav = join(dir, 'src.wav');
  execFileSync('espeak-ng', ['-v', 'en-us', '-w', wav, 'Welcome to the pizza line.']);
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-i', wav, '-ar', '44100', '-ac', '2', mp3]);
  const srcMs = (readWav(readFileSync(wav)).samples.length * 1000) / 22050;

  it('converts an MP3 (44.1 kHz stereo) to 8 kHz mu-law and PCM16 WAVs of the same length', async () => {
    const p = await importPrompt(mp3, dir, 'greeting');
    const ulaw = readWav(readFileSync(p.ulawPath));
    expect([ulaw.encoding, ulaw.sampleRate, ulaw.channels]).toEqual(['mulaw', 8000, 1]);
    expect(readWav(readFileSync(p.pcmPath))).toMatchObject({ encoding: 'pcm', sampleRate: 8000 });
    expect(Math.abs(p.durationMs - srcMs)).toBeLessThan(120);
  });

  it('an imported recording replaces synthesis for its text', async () => {
    const p = await importPrompt(mp3, dir, 'greeting2');
    const tts = new CachedTts(new EspeakTts());
    await tts.putRecording('Welcome!', { language: 'en-US' }, p.samples8k);
    const frames = await collect(tts.synthesize('Welcome!', o8), 5000);
    expect(joinFrames(frames).subarray(0, p.samples8k.length)).toEqual(p.samples8k);
    expect(
      (await collect(tts.synthesize('Welcome!', { ...o8, sampleRate: 16000 }), 5000))[0]!.sampleRate,
    ).toBe(16000);
    expect(tts.stats.misses).toBe(0);
  });

  it('unreadable or missing files are PROMPT_UNREADABLE with the reason; bad names are refused', async () => {
    const txt = join(dir, 'notes.mp3');
    writeFileSync(txt, 'this is not audio at all');
    for (const f of [txt, join(dir, 'missing.wav')]) {
      const err = await importPrompt(f, dir, 'x').catch((e: unknown) => e);
      expect(isVoicebotError(err) && err.code).toBe('PROMPT_UNREADABLE');
      expect((err as Error).message).toContain(f);
    }
    await expect(importPrompt(mp3, dir, '../evil')).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
