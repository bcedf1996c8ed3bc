import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AsrAdapter, AsrEvent, RecognizeOptions } from '../asr.ts';
import { createSpeechServer, type SpeechServer } from '../grpc/speech-server.ts';
import { ScriptedAsr } from '../grpc/testing/scripted-asr.ts';
import { RivaAsr } from '../providers/riva/riva-asr.ts';
import { runAsrContract } from '../testing/asr-contract.ts';
import { collect } from '../testing/collect.ts';
import { FakeAsr } from '../testing/fake-asr.ts';
import { espeakClip, frames } from '../testing/speech-audio.ts';
import { FallbackAsr } from './fallback-asr.ts';

let server: SpeechServer;
let address = '';
beforeAll(async () => {
  server = createSpeechServer({ asr: new ScriptedAsr({ script: ['hello world'] }) });
  address = `127.0.0.1:${await server.listen('127.0.0.1', 0)}`;
});
afterAll(() => server.shutdown(500));

const utterance = espeakClip('hello world', 16000);

runAsrContract(
  'fallback (riva primary, embedded fallback)',
  () =>
    new FallbackAsr({
      primary: new RivaAsr({ address }),
      fallback: new FakeAsr({ results: ['hello world'] }),
    }),
  { language: 'en-US', utterance, timeoutMs: 10_000 },
);

/** Counts the streams an adapter opens (composition over a real adapter). */
function counted(inner: AsrAdapter): AsrAdapter & { streams: number } {
  const a = {
    name: inner.name,
    capabilities: inner.capabilities,
    streams: 0,
    stream(o: RecognizeOptions) {
      a.streams++;
      return inner.stream(o);
    },
  };
  return a;
}

describe('FallbackAsr', () => {
  it('retries a primary that fails before it said anything, then switches with one asr.error', async () => {
    const primary = counted(new FakeAsr({ results: ['never'], failAfterFrames: 3 }));
    const adapter = new FallbackAsr({
      primary,
      fallback: new FakeAsr({ results: ['from the fallback'] }),
      retries: 2,
      retryBaseDelayMs: 10,
    });
    const s = adapter.stream({ language: 'en-US' });
    for (const f of frames(utterance.samples, 16000)) s.push(f);
    s.end();
    const events = await collect(s, 10_000);
    expect(primary.streams).toBe(3);
    const errors = events.filter((e) => e.type === 'asr.error');
    expect(errors).toEqual([expect.objectContaining({ code: 'ASR_FAILED', retryable: true })]);
    const finals = events.filter(
      (e): e is Extract<AsrEvent, { type: 'asr.final' }> => e.type === 'asr.final',
    );
    expect(finals.map((f) => f.text)).toEqual(['from the fallback']);
  });

  it('a non-retryable primary error ends the stream (the fallback would refuse it too)', async () => {
    const fallback = counted(new FakeAsr({ results: ['x'] }));
    const adapter = new FallbackAsr({ primary: new RivaAsr({ address }), fallback });
    const bad = adapter.stream({ language: 'fr-FR' as 'en-US' });
    for (const f of frames(utterance.samples, 16000)) bad.push(f);
    bad.end();
    const events = await collect(bad, 5000);
    expect(events).toEqual([
      expect.objectContaining({ type: 'asr.error', code: 'ASR_BAD_REQUEST', retryable: false }),
    ]);
    expect((events[0] as { message: string }).message).toMatch(/fr-FR/);
    expect(fallback.streams).toBe(0);
  });

  it('declares only what both adapters can honour', () => {
    const a = new FallbackAsr({
      primary: new RivaAsr({ address }),
      fallback: new FakeAsr({ results: ['x'] }),
    });
    expect(a.capabilities.hints).toBe(false);
    expect(a.capabilities.interimResults).toBe(false);
    expect(a.capabilities.languages).toEqual(['en-US', 'zh-CN']);
  });
});
