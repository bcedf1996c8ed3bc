import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metrics } from '../../../engine/metrics/metrics.ts';
import type { AsrEvent } from '../../asr.ts';
import { ScriptedAsr } from '../../grpc/testing/scripted-asr.ts';
import { runAsrContract } from '../../testing/asr-contract.ts';
import { collect } from '../../testing/collect.ts';
import { concat, espeakClip, frames, silence } from '../../testing/speech-audio.ts';
import { startVoskServer, type VoskTestServer } from './testing/vosk-server.ts';
import { phraseList, VOSK_EOF, VoskAsr } from './vosk-asr.ts';

let server: VoskTestServer;
beforeAll(async () => {
  server = await startVoskServer(new ScriptedAsr({ script: ['hello world', 'yes'] }));
});
afterAll(() => server.close());

const utterance = espeakClip('hello world', 16000);
type Final = Extract<AsrEvent, { type: 'asr.final' }>;

runAsrContract('vosk over WebSocket', () => new VoskAsr({ url: server.url }), {
  language: 'en-US',
  utterance,
  makeBroken: () => new VoskAsr({ url: 'ws://127.0.0.1:1', connectTimeoutMs: 500 }),
  timeoutMs: 10_000,
});

describe('VoskAsr on the wire', () => {
  it('sends config, binary PCM and the byte-exact eof; maps partials and word times', async () => {
    const metrics = new Metrics();
    const before = server.texts.length;
    const s = new VoskAsr({ url: server.url, metrics }).stream({ language: 'en-US' });
    const clip = espeakClip('hello world', 8000);
    for (const f of frames(clip.samples, 8000)) s.push({ ...f, timestampMs: f.timestampMs + 1000 });
    s.end();
    const events = await collect(s, 10_000);
    const sent = server.texts.slice(before);
    expect(JSON.parse(sent[0]!)).toEqual({ config: { sample_rate: 8000, words: 1, max_alternatives: 0 } });
    expect(sent.at(-1)).toBe(VOSK_EOF);
    expect(events[0]?.type).toBe('asr.speech_start');
    expect(events.some((e) => e.type === 'asr.interim')).toBe(true);
    const final = events.find((e): e is Final => e.type === 'asr.final')!;
    expect(final.text).toBe('hello world');
    expect(final.words?.map((w) => w.word)).toEqual(['hello', 'world']);
    // Times in seconds from the stream start come back on the caller's timeline (+1000 ms).
    expect(final.startMs).toBeGreaterThanOrEqual(1250);
    expect(events.at(-1)?.type).toBe('asr.speech_end');
    expect(await metrics.registry.metrics()).toMatch(
      /voicebot_speech_requests_total\{adapter="vosk",kind="asr",outcome="ok"\} 1/,
    );
  });

  it('flush sends {"reset" : 1} and the stream goes on', async () => {
    const before = server.texts.length;
    const s = new VoskAsr({ url: server.url }).stream({ language: 'en-US' });
    for (const f of frames(utterance.samples, 16000)) s.push(f);
    s.flush();
    const first = await collect(s, 10_000, (e) => e.type === 'asr.final');
    expect((first.at(-1) as Final).text).toBe('hello world');
    for (const f of frames(concat(utterance.samples, silence(700, 16000)), 16000)) s.push(f);
    s.end();
    const rest = await collect(s, 10_000);
    expect(rest.filter((e): e is Final => e.type === 'asr.final').map((f) => f.text)).toEqual(['yes']);
    expect(server.texts.slice(before)).toContain('{"reset" : 1}');
  });

  it('a grammar becomes phrase_list; digits come back as a digit string', async () => {
    expect(phraseList({ kind: 'yesno' })).toEqual(['yes', 'no', '[unk]']);
    const digits = await startVoskServer(new ScriptedAsr({ script: ['four two seven'] }));
    const before = digits.texts.length;
    const s = new VoskAsr({ url: digits.url }).stream({ language: 'en-US', grammar: { kind: 'digits' } });
    for (const f of frames(utterance.samples, 16000)) s.push(f);
    s.end();
    const events = await collect(s, 10_000);
    expect(JSON.parse(digits.texts[before]!).config.phrase_list).toContain(
      'zero one two three four five six seven eight nine',
    );
    expect(events.find((e): e is Final => e.type === 'asr.final')?.text).toBe('427');
    await digits.close();
  });

  it('a server that drops the connection mid-stream is a retryable ASR_UNAVAILABLE event', async () => {
    const s = new VoskAsr({ url: server.url }).stream({ language: 'en-US' });
    const all = frames(utterance.samples, 16000);
    for (const f of all.slice(0, 20)) s.push(f);
    await new Promise((r) => setTimeout(r, 100));
    server.dropAll();
    const events = await collect(s, 5000);
    expect(events.at(-1)).toMatchObject({ type: 'asr.error', code: 'ASR_UNAVAILABLE', retryable: true });
    expect(() => s.push(all[21]!)).not.toThrow();
  });

  it('garbage from the server is a SPEECH_PROTOCOL event naming it, not a crash', async () => {
    const { WebSocketServer } = await import('ws');
    const bad = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => bad.once('listening', r));
    bad.on('connection', (ws) => ws.on('message', () => ws.send('not json at all')));
    const port = (bad.address() as { port: number }).port;
    const s = new VoskAsr({ url: `ws://127.0.0.1:${port}` }).stream({ language: 'en-US' });
    for (const f of frames(utterance.samples, 16000)) s.push(f);
    const events = await collect(s, 5000);
    expect(events.at(-1)).toMatchObject({ type: 'asr.error', code: 'SPEECH_PROTOCOL', retryable: false });
    expect((events.at(-1) as { message: string }).message).toMatch(/not json at all/);
    await new Promise((r) => bad.close(r));
  });
});
