import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metrics } from '../../../engine/metrics/metrics.ts';
import type { AsrEvent } from '../../asr.ts';
import { rivaServices } from '../../grpc/riva-proto.ts';
import { createSpeechServer, type SpeechServer } from '../../grpc/speech-server.ts';
import { ScriptedAsr } from '../../grpc/testing/scripted-asr.ts';
import { runAsrContract } from '../../testing/asr-contract.ts';
import { collect } from '../../testing/collect.ts';
import { concat, espeakClip, frames, silence } from '../../testing/speech-audio.ts';
import { RivaAsr } from './riva-asr.ts';

const script = ['hello world', 'yes please'];
let server: SpeechServer;
let address = '';

beforeAll(async () => {
  server = createSpeechServer({ asr: new ScriptedAsr({ script }) });
  address = `127.0.0.1:${await server.listen('127.0.0.1', 0)}`;
});
afterAll(async () => {
  await server.shutdown(500);
});

const utterance = espeakClip('hello world', 16000);

runAsrContract('riva over gRPC to voicebot speech-server', () => new RivaAsr({ address }), {
  language: 'en-US',
  utterance,
  makeBroken: () => new RivaAsr({ address: '127.0.0.1:1', connectTimeoutMs: 500 }),
  timeoutMs: 10_000,
});

describe('RivaAsr on the wire', () => {
  it('maps interim and final results with word timing, and µ-law 8 kHz works', async () => {
    const metrics = new Metrics();
    const asr = new RivaAsr({ address, mulaw: true, metrics });
    const clip = espeakClip('hello world', 8000);
    const s = asr.stream({ language: 'en-US', interimResults: true, endpointSilenceMs: 300 });
    for (const f of frames(clip.samples, 8000)) s.push(f);
    s.end();
    const events = await collect(s, 10_000);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('asr.speech_start');
    expect(types).toContain('asr.interim');
    const final = events.find((e) => e.type === 'asr.final') as Extract<AsrEvent, { type: 'asr.final' }>;
    expect(final.text).toBe('hello world');
    expect(final.words?.map((w) => w.word)).toEqual(['hello', 'world']);
    // espeak clip starts after 300 ms of padding: the word timing comes through the wire.
    expect(final.startMs).toBeGreaterThanOrEqual(250);
    expect(final.endMs).toBeGreaterThan(final.startMs);
    expect(types.at(-1)).toBe('asr.speech_end');
    await asr.close();
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/voicebot_speech_requests_total\{adapter="riva-asr",kind="asr",outcome="ok"\} 1/);
    expect(text).toMatch(/voicebot_speech_first_result_seconds_count\{adapter="riva-asr",kind="asr"\} 1/);
  });

  it('flush half-closes and the next audio continues on one timeline', async () => {
    const asr = new RivaAsr({ address });
    const s = asr.stream({ language: 'en-US' });
    for (const f of frames(utterance.samples, 16000)) s.push(f);
    s.flush();
    const first = await collect(s, 10_000, (e) => e.type === 'asr.final');
    const f1 = first.at(-1) as Extract<AsrEvent, { type: 'asr.final' }>;
    const durMs = (utterance.samples.length * 1000) / 16000;
    for (const f of frames(utterance.samples, 16000)) s.push({ ...f, timestampMs: f.timestampMs + durMs });
    s.end();
    const rest = await collect(s, 10_000);
    const f2 = rest.find((e) => e.type === 'asr.final') as Extract<AsrEvent, { type: 'asr.final' }>;
    expect(f1.text).toBe('hello world');
    expect(f2.text).toBe('hello world');
    expect(f2.startMs).toBeGreaterThan(durMs);
    await asr.close();
  });

  it('a first message without streaming_config is INVALID_ARGUMENT', async () => {
    const { AsrClient } = rivaServices();
    const client = new AsrClient(address, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
      StreamingRecognize(): grpc.ClientDuplexStream<unknown, unknown>;
    };
    const call = client.StreamingRecognize();
    const err = await new Promise<grpc.ServiceError>((resolve) => {
      call.on('error', resolve);
      call.on('data', () => {});
      call.write({ audio_content: Buffer.alloc(320) });
    });
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.details).toMatch(/first StreamingRecognizeRequest must carry streaming_config/);
    client.close();
  });

  it('an unsupported rate or encoding is ASR_BAD_REQUEST naming the value, and the server keeps serving', async () => {
    const { AsrClient } = rivaServices();
    const client = new AsrClient(address, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
      StreamingRecognize(): grpc.ClientDuplexStream<unknown, unknown>;
    };
    for (const [config, mention] of [
      [{ encoding: 'LINEAR_PCM', sample_rate_hertz: 44100, language_code: 'en-US' }, /44100/],
      [{ encoding: 'FLAC', sample_rate_hertz: 16000, language_code: 'en-US' }, /FLAC/],
      [{ encoding: 'MULAW', sample_rate_hertz: 16000, language_code: 'en-US' }, /8000/],
    ] as const) {
      const call = client.StreamingRecognize();
      const err = await new Promise<grpc.ServiceError>((resolve) => {
        call.on('error', resolve);
        call.on('data', () => {});
        call.write({ streaming_config: { config, interim_results: false } });
      });
      expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(err.details).toMatch(mention);
    }
    // A split sample (odd PCM byte count) is refused for that call only; the next call works.
    const call = client.StreamingRecognize();
    const err = await new Promise<grpc.ServiceError>((resolve) => {
      call.on('error', resolve);
      call.on('data', () => {});
      call.write({
        streaming_config: {
          config: { encoding: 'LINEAR_PCM', sample_rate_hertz: 16000, language_code: 'en-US' },
          interim_results: false,
        },
      });
      call.write({ audio_content: Buffer.alloc(3) });
    });
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.details).toMatch(/odd byte count \(3\)/);
    client.close();
    const asr = new RivaAsr({ address });
    const s = asr.stream({ language: 'en-US' });
    for (const f of frames(utterance.samples, 16000)) s.push(f);
    s.end();
    expect((await collect(s, 5000)).filter((e) => e.type === 'asr.final')).toHaveLength(1);
    await asr.close();
  });

  it('an unreachable server is a retryable ASR_UNAVAILABLE event, not a throw', async () => {
    const asr = new RivaAsr({ address: '127.0.0.1:1', connectTimeoutMs: 500 });
    const s = asr.stream({ language: 'en-US' });
    for (const f of frames(concat(utterance.samples, silence(100, 16000)), 16000)) s.push(f);
    const events = await collect(s, 5000);
    expect(events).toEqual([
      expect.objectContaining({ type: 'asr.error', code: 'ASR_UNAVAILABLE', retryable: true }),
    ]);
    await asr.close();
  });
});
