/**
 * Pocketsphinx final latency under concurrent calls: N streams at once, each pushing an item
 * answer (espeak-ng through G.711) in real time (20 ms frames) with the voice-order item grammar
 * and rejection, as a session's listen does; latency = the final's arrival minus the moment the
 * last frame of speech was pushed (speech end -> final); the stream is flushed 1.1 s after the
 * speech end if no final came by then, as the session's endpoint does. Run with the pool sizes to compare.
 *   node --import tsx bench/asr-final-latency.ts [--calls 1,6] [--workers 1,auto] [--rounds 4]
 */
import { parseArgs } from 'node:util';
import type { AsrEvent } from '../asr-tts/asr.ts';
import { PocketsphinxAsr } from '../asr-tts/providers/pocketsphinx/pocketsphinx-asr.ts';
import { defaultWorkers } from '../asr-tts/providers/pocketsphinx/pool-size.ts';
import { voiceOrderGrammars } from '../dialogs/voice-order/grammar.ts';
import { toFrames } from '../engine/audio/frame.ts';
import { utterance } from './lib/caller-audio.ts';
import { catalog } from './lib/voice-order.ts';
import { machineInfo, percentile, round } from './speech-machine.ts';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '1,6' },
    workers: { type: 'string', default: '1,auto' },
    rounds: { type: 'string', default: '4' },
  },
});

const TEXTS = [
  'two burgers please',
  'one cola',
  'an orange juice and a water',
  'three bottles of water',
  'a burger and a cola',
  'two orange juices',
];
const VOICES = ['en-us', 'en-gb', 'en-us+f3'];
const grammar = voiceOrderGrammars(catalog).item;
/** Speech end to the session's flush: VAD hangover 500 ms + endpointSilenceMs 600 ms. */
const FLUSH_AFTER_MS = 1100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One call: 1 s of line silence, the answer, 1.2 s of silence, pushed at real time. */
async function oneCall(asr: PocketsphinxAsr, k: number): Promise<number> {
  const u = utterance(TEXTS[k % TEXTS.length]!, {
    voice: VOICES[k % VOICES.length]!,
    leadMs: 1000,
    tailMs: 1200,
  });
  const speechEndMs = (u.onset + u.speechSamples) / 8;
  const s = asr.stream({ language: 'en-US', grammar });
  let endPushedAt = 0;
  let flushed = false;
  let finalAt = 0;
  const reader = (async () => {
    for await (const e of s as AsyncIterable<AsrEvent>) {
      if (e.type === 'asr.final' && finalAt === 0) finalAt = performance.now();
      if (e.type === 'asr.error') throw new Error(`${e.code}: ${e.message}`);
    }
  })();
  const t0 = performance.now();
  let atMs = 0;
  for (const f of toFrames(u.samples, 8000)) {
    const due = t0 + atMs;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    s.push(f);
    atMs += f.samples.length / 8;
    if (endPushedAt === 0 && atMs >= speechEndMs) endPushedAt = performance.now();
    // The session flushes at its endpoint (the VAD's 500 ms hangover, then endpointSilenceMs).
    if (!flushed && atMs >= speechEndMs + FLUSH_AFTER_MS) {
      flushed = true;
      if (finalAt === 0) s.flush();
    }
  }
  // The session ends a listen a while after the VAD's end; give the recognizer up to 15 s.
  const until = performance.now() + 15_000;
  while (finalAt === 0 && performance.now() < until) await sleep(10);
  s.end();
  await reader.catch(() => {});
  return finalAt === 0 ? Number.NaN : finalAt - endPushedAt;
}

const results = [];
for (const w of values.workers.split(',')) {
  const workers = w === 'auto' ? defaultWorkers() : Number(w);
  for (const calls of values.calls.split(',').map(Number)) {
    const asr = new PocketsphinxAsr({ workers });
    await asr.warmUp();
    const lat: number[] = [];
    const missing: string[] = [];
    for (let r = 0; r < Number(values.rounds); r++) {
      const got = await Promise.all(Array.from({ length: calls }, (_, i) => oneCall(asr, r * calls + i)));
      got.forEach((ms, i) => {
        if (Number.isNaN(ms)) missing.push(TEXTS[(r * calls + i) % TEXTS.length]!);
        else lat.push(ms);
      });
    }
    await asr.close();
    const row = {
      workers: `${w} (${workers})`,
      calls,
      finals: lat.length,
      missing,
      p50Ms: round(percentile(lat, 50), 0),
      p99Ms: round(percentile(lat, 99), 0),
      maxMs: round(Math.max(...lat), 0),
    };
    results.push(row);
    process.stderr.write(`${JSON.stringify(row)}\n`);
  }
}
process.stdout.write(
  `${JSON.stringify({ bench: 'asr-final-latency', machine: machineInfo(), results }, null, 2)}\n`,
);
