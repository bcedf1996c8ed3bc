/**
 * The embedded grammar recognizer (pocketsphinx) served over the Riva protocol: a grammar rides in
 * custom_configuration to `voicebot speech-server`, and bad grammars are INVALID_ARGUMENT.
 */
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AsrEvent, Grammar } from '../../asr.ts';
import { GRAMMAR_KEY, rivaServices } from '../../grpc/riva-proto.ts';
import { createSpeechServer, type SpeechServer } from '../../grpc/speech-server.ts';
import { collect } from '../../testing/collect.ts';
import { espeakClip, frames } from '../../testing/speech-audio.ts';
import { PocketsphinxAsr } from '../pocketsphinx/pocketsphinx-asr.ts';
import { RivaAsr } from './riva-asr.ts';

let server: SpeechServer;
let address = '';
const engine = new PocketsphinxAsr({ workers: 1 });
beforeAll(async () => {
  server = createSpeechServer({ asr: engine });
  address = `127.0.0.1:${await server.listen('127.0.0.1', 0)}`;
});
afterAll(async () => {
  await server.shutdown(500);
  await engine.close();
});

type Final = Extract<AsrEvent, { type: 'asr.final' }>;
const menu: Grammar = {
  kind: 'phrases',
  phrases: ['two large pizzas', 'one small salad', 'talk to a person'],
};

describe('Riva protocol to the embedded grammar recognizer', () => {
  it('recognizes in-grammar speech sent over gRPC (yes/no and a menu, 8 kHz µ-law and 16 kHz PCM)', async () => {
    const asr = new RivaAsr({ address, sendGrammar: true, mulaw: true });
    expect(asr.capabilities.grammar).toBe(true);
    for (const [text, rate, grammar] of [
      ['yes', 8000, { kind: 'yesno' }],
      ['talk to a person', 8000, menu],
      ['two large pizzas', 16000, menu],
    ] as const) {
      const clip = espeakClip(text, rate);
      const s = asr.stream({ language: 'en-US', grammar });
      for (const f of frames(clip.samples, rate)) s.push(f);
      s.end();
      const events = await collect(s, 30_000);
      const finals = events.filter((e): e is Final => e.type === 'asr.final');
      expect(finals.map((f) => f.text).join(' ')).toBe(text);
    }
    await asr.close();
  });

  it('a malformed grammar is INVALID_ARGUMENT naming the key', async () => {
    const { AsrClient } = rivaServices();
    const client = new AsrClient(address, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
      StreamingRecognize(): grpc.ClientDuplexStream<unknown, unknown>;
    };
    const call = client.StreamingRecognize();
    const err = await new Promise<grpc.ServiceError>((resolve) => {
      call.on('error', resolve);
      call.on('data', () => {});
      call.write({
        streaming_config: {
          config: {
            encoding: 'LINEAR_PCM',
            sample_rate_hertz: 16000,
            language_code: 'en-US',
            custom_configuration: { [GRAMMAR_KEY]: '{"kind":"menu"}' },
          },
        },
      });
    });
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.details).toMatch(/voicebot_grammar: kind must be yesno, digits or phrases/);
    client.close();
  });
});
