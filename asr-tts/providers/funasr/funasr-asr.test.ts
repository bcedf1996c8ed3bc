import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AsrEvent } from '../../asr.ts';
import { ScriptedAsr } from '../../grpc/testing/scripted-asr.ts';
import { runAsrContract } from '../../testing/asr-contract.ts';
import { collect } from '../../testing/collect.ts';
import { espeakClip, frames } from '../../testing/speech-audio.ts';
import { FunAsr, funasrTokens, parseTimestamps } from './funasr-asr.ts';
import { type FunAsrTestServer, startFunAsrServer } from './testing/funasr-server.ts';

type Final = Extract<AsrEvent, { type: 'asr.final' }>;
const script = ['你好 世界', '明天 上午 送到'];
let python: FunAsrTestServer;
let cpp: FunAsrTestServer;
beforeAll(async () => {
  python = await startFunAsrServer(new ScriptedAsr({ script }));
  cpp = await startFunAsrServer(new ScriptedAsr({ script }), { flavour: 'cpp' });
});
afterAll(async () => {
  await python.close();
  await cpp.close();
});

const utterance = espeakClip('你好世界', 16000, { voice: 'cmn' });

for (const flavour of ['python', 'cpp'] as const) {
  runAsrContract(
    `funasr over WebSocket (${flavour} server)`,
    () => new FunAsr({ url: (flavour === 'python' ? python : cpp).url, endQuietMs: 800 }),
    {
      language: 'zh-CN',
      utterance,
      makeBroken: () => new FunAsr({ url: 'ws://127.0.0.1:1', connectTimeoutMs: 500 }),
      timeoutMs: 10_000,
    },
  );
}

describe('FunAsr on the wire', () => {
  it('parses timestamps and tokens the way FunASR times them', () => {
    expect(parseTimestamps('[[100,200],[200,500]]')).toEqual([
      [100, 200],
      [200, 500],
    ]);
    expect(parseTimestamps('nonsense')).toEqual([]);
    expect(funasrTokens('你好，世界。')).toEqual(['你', '好', '世', '界']);
    expect(funasrTokens("it's 9 o'clock")).toEqual(["it's", '9', "o'clock"]);
  });

  it('sends the first message, 60 ms chunks and is_speaking false; fragments become interims, the offline pass a final with times', async () => {
    const before = python.received.length;
    const s = new FunAsr({ url: python.url }).stream({ language: 'zh-CN', hints: ['阿里巴巴'] });
    for (const f of frames(utterance.samples, 16000)) s.push({ ...f, timestampMs: f.timestampMs + 500 });
    s.end();
    const events = await collect(s, 10_000);
    const sent = python.received.slice(before);
    expect(sent[0]).toMatchObject({
      mode: '2pass',
      chunk_size: [5, 10, 5],
      chunk_interval: 10,
      wav_format: 'pcm',
      audio_fs: 16000,
      is_speaking: true,
      itn: true,
    });
    expect(JSON.parse(sent[0]!.hotwords as string)).toEqual({ 阿里巴巴: 20 });
    expect(sent.at(-1)).toEqual({ is_speaking: false });
    const interims = events.filter((e) => e.type === 'asr.interim').map((e) => (e as { text: string }).text);
    expect(interims.length).toBeGreaterThan(0);
    expect(interims.every((t) => '你好 世界'.startsWith(t))).toBe(true);
    const final = events.find((e): e is Final => e.type === 'asr.final')!;
    expect(final.text).toBe('你好 世界');
    expect(final.words?.map((w) => w.word)).toEqual(['你', '好', '世', '界']);
    expect(final.startMs).toBeGreaterThanOrEqual(800); // 500 ms offset + 300 ms of leading silence
    expect(events.at(-1)?.type).toBe('asr.speech_end');
  });

  it('8 kHz audio is announced as audio_fs 8000', async () => {
    const before = cpp.received.length;
    const clip = espeakClip('你好世界', 8000, { voice: 'cmn' });
    const s = new FunAsr({ url: cpp.url }).stream({ language: 'zh-CN' });
    for (const f of frames(clip.samples, 8000)) s.push(f);
    s.end();
    const events = await collect(s, 10_000);
    expect(cpp.received[before]).toMatchObject({ audio_fs: 8000 });
    expect(events.find((e) => e.type === 'asr.final')).toMatchObject({ text: '你好 世界' });
  });

  it('flush ends the utterance; the next audio re-opens it with the first message', async () => {
    const before = python.received.length;
    const s = new FunAsr({ url: python.url, endQuietMs: 800 }).stream({ language: 'zh-CN' });
    for (const f of frames(utterance.samples, 16000)) s.push(f);
    s.flush();
    const first = await collect(s, 10_000, (e) => e.type === 'asr.final');
    expect((first.at(-1) as Final).text).toBe('你好 世界');
    const dur = (utterance.samples.length * 1000) / 16000;
    for (const f of frames(utterance.samples, 16000)) s.push({ ...f, timestampMs: f.timestampMs + dur });
    s.end();
    const rest = await collect(s, 10_000);
    expect(rest.filter((e): e is Final => e.type === 'asr.final').map((f) => f.text)).toEqual([
      '明天 上午 送到',
    ]);
    const speaking = python.received.slice(before).map((m) => m.is_speaking);
    expect(speaking).toEqual([true, false, true, false]);
  });

  it('a dropped connection mid-stream is a retryable ASR_UNAVAILABLE event', async () => {
    const s = new FunAsr({ url: python.url }).stream({ language: 'zh-CN' });
    for (const f of frames(utterance.samples, 16000).slice(0, 20)) s.push(f);
    await new Promise((r) => setTimeout(r, 100));
    python.dropAll();
    const events = await collect(s, 5000);
    expect(events.at(-1)).toMatchObject({ type: 'asr.error', code: 'ASR_UNAVAILABLE', retryable: true });
  });
});
