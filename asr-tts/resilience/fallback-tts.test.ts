import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AudioFrame } from '../../engine/audio/frame.ts';
import { Metrics } from '../../engine/metrics/metrics.ts';
import { createSpeechServer, type SpeechServer } from '../grpc/speech-server.ts';
import { type SpeechServerProcess, spawnSpeechServer } from '../grpc/testing/spawn-speech-server.ts';
import { EspeakTts } from '../providers/espeak/espeak-tts.ts';
import { RivaTts } from '../providers/riva/riva-tts.ts';
import { collect } from '../testing/collect.ts';
import { runTtsContract } from '../testing/tts-contract.ts';
import type { SynthesizeOptions, TtsAdapter } from '../tts.ts';
import { CircuitBreaker } from './circuit-breaker.ts';
import { FallbackTts } from './fallback-tts.ts';

let server: SpeechServer;
let address = '';
beforeAll(async () => {
  server = createSpeechServer({ tts: new EspeakTts() });
  address = `127.0.0.1:${await server.listen('127.0.0.1', 0)}`;
});
afterAll(() => server.shutdown(500));

const text = 'Thank you for calling. Your order will arrive tomorrow morning between nine and eleven.';
const opts: SynthesizeOptions = { language: 'en-US', sampleRate: 8000 };
const durationMs = (list: AudioFrame[]) =>
  list.reduce((ms, f) => ms + (f.samples.length * 1000) / f.sampleRate, 0);
const contiguous = (list: AudioFrame[]) => list.every((f, i) => f.timestampMs === i * 20);

runTtsContract(
  'fallback (riva primary, espeak-ng fallback)',
  () => new FallbackTts({ chain: [{ adapter: new RivaTts({ address }) }, { adapter: new EspeakTts() }] }),
  { language: 'en-US', text },
);

/** A synthesizer that accepts the request and then never speaks (a hung engine). */
const silentTts: TtsAdapter = {
  name: 'hung',
  capabilities: { streaming: true, languages: ['en-US', 'zh-CN'], voices: [], sampleRates: [8000, 16000] },
  async *synthesize(_t, _o, signal) {
    await new Promise((resolve) => signal?.addEventListener('abort', resolve, { once: true }));
  },
};

let child: SpeechServerProcess | undefined;
afterEach(() => {
  child?.child.kill('SIGKILL');
  child = undefined;
});

describe('FallbackTts', () => {
  it('an unreachable primary is retried, then the fallback speaks the whole prompt', async () => {
    const metrics = new Metrics();
    const tts = new FallbackTts({
      chain: [
        { adapter: new RivaTts({ address: '127.0.0.1:1', connectTimeoutMs: 200 }) },
        { adapter: new EspeakTts() },
      ],
      retries: 1,
      retryBaseDelayMs: 10,
      metrics,
    });
    const list = await collect(tts.synthesize(text, opts), 15_000);
    const alone = await collect(new EspeakTts().synthesize(text, opts), 15_000);
    expect(Math.abs(durationMs(list) - durationMs(alone))).toBeLessThan(60);
    expect(contiguous(list)).toBe(true);
    expect(await metrics.registry.metrics()).toMatch(
      /voicebot_speech_fallbacks_total\{from="riva-tts",to="espeak-ng",kind="tts"\} 1/,
    );
  });

  it('a hung primary hits the read timeout and the fallback takes over', async () => {
    const hung = createSpeechServer({ tts: silentTts });
    const port = await hung.listen('127.0.0.1', 0);
    const tts = new FallbackTts({
      chain: [
        { adapter: new RivaTts({ address: `127.0.0.1:${port}` }), readTimeoutMs: 300 },
        { adapter: new EspeakTts(), readTimeoutMs: 10_000 },
      ],
    });
    const t0 = Date.now();
    const list = await collect(tts.synthesize('Please hold.', opts), 10_000);
    expect(list.length).toBeGreaterThan(10);
    expect(Date.now() - t0).toBeLessThan(3000);
    await hung.shutdown(100);
  });

  it('the speech server killed mid-prompt: the fallback continues where the audio stopped', async () => {
    child = await spawnSpeechServer(['--port', '0', '--tts', 'espeak']);
    const proc = child;
    const metrics = new Metrics();
    const tts = new FallbackTts({
      chain: [{ adapter: new RivaTts({ address: proc.address }) }, { adapter: new EspeakTts() }],
      metrics,
    });
    // 16 kHz and a long prompt: more audio than the HTTP/2 window holds, so the server is still
    // sending when it dies.
    const long = `${text} ${text} ${text}`;
    const wide: SynthesizeOptions = { language: 'en-US', sampleRate: 16000 };
    const got: AudioFrame[] = [];
    for await (const f of tts.synthesize(long, wide)) {
      got.push(f);
      if (got.length === 10) {
        proc.child.kill('SIGKILL');
        await proc.exited;
      }
    }
    expect(await metrics.registry.metrics()).toMatch(
      /voicebot_speech_fallbacks_total\{from="riva-tts",to="espeak-ng",kind="tts"\} 1/,
    );
    const alone = await collect(new EspeakTts().synthesize(long, wide), 15_000);
    // One prompt's worth of audio, not a repeat: the fallback skipped what was already played.
    expect(Math.abs(durationMs(got) - durationMs(alone))).toBeLessThan(100);
    expect(contiguous(got)).toBe(true);
  }, 60_000);

  it('an open breaker skips the primary; bad requests are thrown, not retried or hidden', async () => {
    const breaker = new CircuitBreaker({ name: 'riva-tts', failureThreshold: 1, openMs: 60_000 });
    breaker.onFailure();
    const primary = new RivaTts({ address: '127.0.0.1:1', connectTimeoutMs: 5000 });
    const tts = new FallbackTts({ chain: [{ adapter: primary, breaker }, { adapter: new EspeakTts() }] });
    const t0 = Date.now();
    expect((await collect(tts.synthesize('Hello.', opts), 10_000)).length).toBeGreaterThan(5);
    expect(Date.now() - t0).toBeLessThan(2000); // never waited for the dead primary's connect timeout
    const live = new FallbackTts({
      chain: [{ adapter: new RivaTts({ address }) }, { adapter: new EspeakTts() }],
    });
    const err = await collect(live.synthesize('Hello.', { ...opts, voice: 'no-such-voice' }), 10_000).catch(
      (e) => e,
    );
    expect(err).toMatchObject({ code: 'TTS_BAD_REQUEST', retryable: false });
  });
});
