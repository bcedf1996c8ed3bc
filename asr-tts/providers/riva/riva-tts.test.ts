import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metrics } from '../../../engine/metrics/metrics.ts';
import { rivaServices } from '../../grpc/riva-proto.ts';
import { createSpeechServer, type SpeechServer } from '../../grpc/speech-server.ts';
import { parseSsml } from '../../grpc/ssml.ts';
import { collect } from '../../testing/collect.ts';
import { joinFrames, rmsOf } from '../../testing/speech-audio.ts';
import { runTtsContract } from '../../testing/tts-contract.ts';
import { EspeakTts } from '../espeak/espeak-tts.ts';
import { RivaTts, toRivaText } from './riva-tts.ts';

let server: SpeechServer;
let address = '';

beforeAll(async () => {
  server = createSpeechServer({ tts: new EspeakTts() });
  address = `127.0.0.1:${await server.listen('127.0.0.1', 0)}`;
});
afterAll(async () => {
  await server.shutdown(500);
});

runTtsContract('riva over gRPC to voicebot speech-server (espeak-ng)', () => new RivaTts({ address }), {
  language: 'en-US',
  text: 'Thank you for calling. Your order will arrive tomorrow morning.',
});

runTtsContract(
  'riva over gRPC to voicebot speech-server (espeak-ng, Mandarin)',
  () => new RivaTts({ address }),
  {
    language: 'zh-CN',
    text: '您好，您的订单明天上午送到。',
  },
);

describe('RivaTts on the wire', () => {
  it('rate travels as SSML prosody and comes back out of the server', () => {
    expect(toRivaText('a < b & c', 1)).toBe('a < b & c');
    const ssml = toRivaText('a < b & c', 0.8);
    expect(ssml).toBe('<speak><prosody rate="80%">a &lt; b &amp; c</prosody></speak>');
    expect(parseSsml(ssml)).toEqual({ text: 'a < b & c', rate: 0.8 });
    expect(parseSsml('<speak><prosody rate="slow">hi</prosody></speak>')).toEqual({ text: 'hi', rate: 0.75 });
  });

  it('a µ-law request gets G.711 bytes; first audio arrives quickly and is counted', async () => {
    const metrics = new Metrics();
    const tts = new RivaTts({ address, metrics });
    const t0 = performance.now();
    let firstMs = 0;
    const frames = [];
    for await (const f of tts.synthesize('Hello there.', { language: 'en-US', sampleRate: 8000 })) {
      if (frames.length === 0) firstMs = performance.now() - t0;
      frames.push(f);
    }
    expect(rmsOf(joinFrames(frames))).toBeGreaterThan(200);
    expect(firstMs).toBeLessThan(2000);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/voicebot_speech_requests_total\{adapter="riva-tts",kind="tts",outcome="ok"\} 1/);
    await tts.close();

    const { TtsClient } = rivaServices();
    const client = new TtsClient(address, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
      SynthesizeOnline(r: unknown): grpc.ClientReadableStream<{ audio: Buffer }>;
    };
    const bytes: Buffer[] = [];
    for await (const r of client.SynthesizeOnline({
      text: 'Hello there.',
      language_code: 'en-US',
      encoding: 'MULAW',
      sample_rate_hz: 8000,
    }))
      bytes.push(r.audio);
    const total = Buffer.concat(bytes);
    // 8 kHz µ-law is one byte per sample: the same length as the PCM frames above.
    expect(Math.abs(total.length - joinFrames(frames).length)).toBeLessThan(400);
    const err = await collect(
      client.SynthesizeOnline({
        text: 'x',
        language_code: 'en-US',
        encoding: 'MULAW',
        sample_rate_hz: 16000,
      }),
      5000,
    ).catch((e: grpc.ServiceError) => e);
    expect((err as grpc.ServiceError).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((err as grpc.ServiceError).details).toMatch(/MULAW must be 8000 Hz/);
    client.close();
  });

  it('an unreachable server is TTS_UNAVAILABLE (retryable) within the connect timeout', async () => {
    const tts = new RivaTts({ address: '127.0.0.1:1', connectTimeoutMs: 300 });
    const t0 = Date.now();
    const err = await collect(tts.synthesize('hi', { language: 'en-US', sampleRate: 8000 }), 5000).catch(
      (e) => e,
    );
    expect(err).toMatchObject({ code: 'TTS_UNAVAILABLE', retryable: true });
    expect(Date.now() - t0).toBeLessThan(2000);
    await tts.close();
  });
});
