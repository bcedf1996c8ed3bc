/**
 * The speech server dies mid-call: a real `voicebot speech-server` child process is SIGKILLed while
 * audio streams through the Riva adapter wrapped in the fallback. The call sees one typed
 * asr.error and goes on with the embedded recognizer; the breaker opens, half-opens after its
 * cool-down, and closes again once the restarted server answers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Metrics } from '../../engine/metrics/metrics.ts';
import type { AsrEvent, RecognizeStream } from '../asr.ts';
import { ScriptedAsr } from '../grpc/testing/scripted-asr.ts';
import { type SpeechServerProcess, spawnSpeechServer } from '../grpc/testing/spawn-speech-server.ts';
import { PocketsphinxAsr } from '../providers/pocketsphinx/pocketsphinx-asr.ts';
import { RivaAsr } from '../providers/riva/riva-asr.ts';
import { collect } from '../testing/collect.ts';
import { concat, espeakClip, frames, silence } from '../testing/speech-audio.ts';
import { CircuitBreaker } from './circuit-breaker.ts';
import { FallbackAsr } from './fallback-asr.ts';

const RATE = 16000;
const speech = espeakClip('hello world', RATE, { padMs: 0 });
const utterance = concat(speech.samples, silence(800, RATE));

let servers: SpeechServerProcess[] = [];
afterEach(() => {
  for (const s of servers) s.child.kill('SIGKILL');
  servers = [];
});

async function start(port = 0): Promise<SpeechServerProcess> {
  const s = await spawnSpeechServer(['--port', String(port), '--asr', 'scripted:primary heard you']);
  servers.push(s);
  return s;
}

function pushAudio(s: RecognizeStream, samples: Int16Array, startMs: number): number {
  let t = startMs;
  for (const f of frames(samples, RATE)) {
    s.push({ ...f, timestampMs: t });
    t += 20;
  }
  return t;
}

type Final = Extract<AsrEvent, { type: 'asr.final' }>;

describe('speech server killed mid-stream', () => {
  it('yields a typed asr.error and the fallback continues the same stream', async () => {
    const server = await start();
    const metrics = new Metrics();
    const adapter = new FallbackAsr({
      primary: new RivaAsr({ address: server.address, connectTimeoutMs: 1000, metrics }),
      fallback: new ScriptedAsr({ script: ['fallback heard you'], name: 'embedded' }),
      metrics,
    });
    const s = adapter.stream({ language: 'en-US', interimResults: false });
    let t = pushAudio(s, utterance, 0);
    const first = await collect(s, 10_000, (e) => e.type === 'asr.final' || e.type === 'asr.error');
    expect((first.at(-1) as Final).text).toBe('primary heard you');

    // Half of the next utterance reaches the server, then it dies.
    const half = Math.floor(speech.samples.length / 2);
    t = pushAudio(s, speech.samples.subarray(0, half), t);
    await new Promise((r) => setTimeout(r, 100));
    server.child.kill('SIGKILL');
    expect(await server.exited).toBe('SIGKILL');
    const failure = await collect(s, 10_000, (e) => e.type === 'asr.error');
    expect(failure.at(-1)).toMatchObject({ type: 'asr.error', code: 'ASR_UNAVAILABLE', retryable: true });
    expect((failure.at(-1) as { message: string }).message).toMatch(/continuing on embedded/);

    // The rest of the utterance goes on: the fallback got the replayed first half too.
    t = pushAudio(s, concat(speech.samples.subarray(half), silence(800, RATE)), t);
    s.end();
    const rest = await collect(s, 10_000);
    const finals = rest.filter((e): e is Final => e.type === 'asr.final');
    expect(finals.map((f) => f.text)).toEqual(['fallback heard you']);
    // The replayed half means the fallback's utterance starts before the kill point.
    expect(finals[0]!.startMs).toBeLessThan(t - (speech.samples.length - half) / (RATE / 1000));
    expect(rest.filter((e) => e.type === 'asr.error')).toEqual([]);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/voicebot_speech_fallbacks_total\{from="riva-asr",to="embedded",kind="asr"\} 1/);
    expect(text).toMatch(
      /voicebot_speech_errors_total\{adapter="riva-asr",kind="asr",code="ASR_UNAVAILABLE"\} 1/,
    );
    await adapter.close();
  }, 60_000);

  it('the breaker opens on the failure, skips the dead server, half-opens after the cool-down and closes once it is back', async () => {
    const server = await start();
    const metrics = new Metrics();
    const breaker = new CircuitBreaker({ name: 'riva-asr', failureThreshold: 1, openMs: 400, metrics });
    const adapter = new FallbackAsr({
      // Generous connect time: a loaded CI machine can take over a second to answer the first call.
      primary: new RivaAsr({ address: server.address, connectTimeoutMs: 5000 }),
      fallback: new ScriptedAsr({ script: ['fallback heard you'], name: 'embedded' }),
      breaker,
      metrics,
    });
    const turn = async () => {
      const s = adapter.stream({ language: 'en-US', interimResults: false });
      pushAudio(s, utterance, 0);
      s.end();
      return collect(s, 10_000);
    };
    expect((await turn()).find((e) => e.type === 'asr.final')).toMatchObject({ text: 'primary heard you' });
    expect(breaker.state).toBe('closed');

    server.child.kill('SIGKILL');
    await server.exited;
    const failed = await turn();
    expect(failed.find((e) => e.type === 'asr.error')).toMatchObject({
      code: 'ASR_UNAVAILABLE',
      retryable: true,
    });
    expect(failed.find((e) => e.type === 'asr.final')).toMatchObject({ text: 'fallback heard you' });
    expect(breaker.state).toBe('open');

    // While open, turns go straight to the fallback: no error, no wait on the dead server.
    const t0 = Date.now();
    const skipped = await turn();
    expect(skipped.filter((e) => e.type === 'asr.error')).toEqual([]);
    expect(skipped.find((e) => e.type === 'asr.final')).toMatchObject({ text: 'fallback heard you' });
    expect(Date.now() - t0).toBeLessThan(2000);

    await new Promise((r) => setTimeout(r, 450));
    expect(breaker.state).toBe('half-open');
    // The restarted server answers the half-open trial: closed again.
    await start(server.port);
    expect((await turn()).find((e) => e.type === 'asr.final')).toMatchObject({ text: 'primary heard you' });
    expect(breaker.state).toBe('closed');
    const text = await metrics.registry.metrics();
    for (const state of ['open', 'half-open', 'closed'])
      expect(text).toContain(
        `voicebot_speech_breaker_transitions_total{breaker="riva-asr",state="${state}"} 1`,
      );
    await adapter.close();
  }, 60_000);
  it('real engines on both sides: pocketsphinx behind speech-server, then pocketsphinx in-process', async () => {
    const server = await spawnSpeechServer(['--port', '0', '--asr', 'pocketsphinx']);
    servers.push(server);
    const embedded = new PocketsphinxAsr({ workers: 1 });
    const adapter = new FallbackAsr({
      primary: new RivaAsr({ address: server.address, sendGrammar: true }),
      fallback: embedded,
    });
    expect(adapter.capabilities.grammar).toBe(true);
    const s = adapter.stream({ language: 'en-US', grammar: { kind: 'yesno' }, endpointSilenceMs: 500 });
    const yes = concat(espeakClip('yes', RATE).samples, silence(900, RATE));
    let t = pushAudio(s, yes, 0);
    const first = await collect(s, 30_000, (e) => e.type === 'asr.final' || e.type === 'asr.error');
    expect(first.at(-1)).toMatchObject({ type: 'asr.final', text: 'yes' });

    const no = espeakClip('no', RATE).samples;
    const half = Math.floor(no.length / 2);
    t = pushAudio(s, no.subarray(0, half), t);
    await new Promise((r) => setTimeout(r, 100));
    server.child.kill('SIGKILL');
    await server.exited;
    const failure = await collect(s, 10_000, (e) => e.type === 'asr.error');
    expect(failure.at(-1)).toMatchObject({ code: 'ASR_UNAVAILABLE', retryable: true });
    pushAudio(s, concat(no.subarray(half), silence(900, RATE)), t);
    s.end();
    const rest = await collect(s, 30_000);
    expect(rest.filter((e): e is Final => e.type === 'asr.final').map((f) => f.text)).toEqual(['no']);
    await adapter.close();
  }, 90_000);
});
