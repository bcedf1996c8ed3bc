/**
 * Network speech latency over loopback: what the Riva gRPC protocol (voicebot speech-server) and
 * the Vosk / FunASR WebSocket protocols add on top of the engine.
 *
 *   node --import tsx bench/speech-grpc.ts [--runs 10] [--concurrency 20]
 *
 * ASR: an espeak-ng utterance (16 kHz) is pushed at full speed, then end(); reported are the time
 * from the first push to the first result (interim or final) and from end() to the final, for
 * the scripted recognizer in-process (the baseline: engine only) and behind each protocol.
 * TTS: time to the first 20 ms frame and to the last, espeak-ng in-process vs the same engine
 * behind speech-server. Then --concurrency simultaneous Riva ASR streams. Prints machine info,
 * one line per scenario and a JSON line. Not part of the test suite.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { AsrAdapter } from '../asr-tts/asr.ts';
import { createSpeechServer } from '../asr-tts/grpc/speech-server.ts';
import { ScriptedAsr } from '../asr-tts/grpc/testing/scripted-asr.ts';
import { EspeakTts } from '../asr-tts/providers/espeak/espeak-tts.ts';
import { FunAsr } from '../asr-tts/providers/funasr/funasr-asr.ts';
import { startFunAsrServer } from '../asr-tts/providers/funasr/testing/funasr-server.ts';
import { RivaAsr } from '../asr-tts/providers/riva/riva-asr.ts';
import { RivaTts } from '../asr-tts/providers/riva/riva-tts.ts';
import { startVoskServer } from '../asr-tts/providers/vosk/testing/vosk-server.ts';
import { VoskAsr } from '../asr-tts/providers/vosk/vosk-asr.ts';
import { espeakClip, frames } from '../asr-tts/testing/speech-audio.ts';
import type { TtsAdapter } from '../asr-tts/tts.ts';

interface Pcts {
  p50: number;
  p95: number;
  max: number;
}

function pcts(xs: number[]): Pcts {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => Math.round((s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0) * 10) / 10;
  return { p50: at(0.5), p95: at(0.95), max: at(1) };
}

const clip = espeakClip('hello world', 16000);
const clipFrames = frames(clip.samples, 16000);

async function asrOnce(adapter: AsrAdapter): Promise<{ firstMs: number; finalMs: number }> {
  const t0 = performance.now();
  const s = adapter.stream({ language: 'en-US', interimResults: true });
  for (const f of clipFrames) s.push(f);
  const tEnd = performance.now();
  s.end();
  let firstMs = Number.NaN;
  let finalMs = Number.NaN;
  for await (const ev of s) {
    if (ev.type === 'asr.error') throw new Error(`${adapter.name}: ${ev.code} ${ev.message}`);
    if ((ev.type === 'asr.interim' || ev.type === 'asr.final') && Number.isNaN(firstMs))
      firstMs = performance.now() - t0;
    if (ev.type === 'asr.final') finalMs = performance.now() - tEnd;
  }
  return { firstMs, finalMs };
}

async function ttsOnce(adapter: TtsAdapter): Promise<{ firstMs: number; totalMs: number; audioMs: number }> {
  const t0 = performance.now();
  let firstMs = Number.NaN;
  let audioMs = 0;
  for await (const f of adapter.synthesize('Thank you for calling. How can I help you today?', {
    language: 'en-US',
    sampleRate: 8000,
  })) {
    if (Number.isNaN(firstMs)) firstMs = performance.now() - t0;
    audioMs += (f.samples.length * 1000) / f.sampleRate;
  }
  return { firstMs, totalMs: performance.now() - t0, audioMs };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { runs: { type: 'string', default: '10' }, concurrency: { type: 'string', default: '20' } },
  });
  const runs = Number(values.runs);
  const concurrency = Number(values.concurrency);
  const cpu = cpus();
  const machine = {
    node: process.version,
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    loadavg1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
  process.stdout.write(`speech-grpc: ${JSON.stringify(machine)}\n`);

  const script = ['hello world'];
  const server = createSpeechServer({ asr: new ScriptedAsr({ script }), tts: new EspeakTts() });
  const port = await server.listen('127.0.0.1', 0);
  const address = `127.0.0.1:${port}`;
  const vosk = await startVoskServer(new ScriptedAsr({ script }));
  const funasr = await startFunAsrServer(new ScriptedAsr({ script }), { language: 'en-US' });

  const asrCases: [string, AsrAdapter][] = [
    ['asr in-process (baseline)', new ScriptedAsr({ script })],
    ['asr riva gRPC', new RivaAsr({ address })],
    ['asr vosk ws', new VoskAsr({ url: vosk.url })],
    ['asr funasr ws', new FunAsr({ url: funasr.url, languages: ['en-US'] })],
  ];
  const results: Record<string, unknown> = {};
  for (const [name, adapter] of asrCases) {
    await asrOnce(adapter); // warm-up (connections, JIT)
    const first: number[] = [];
    const final: number[] = [];
    for (let i = 0; i < runs; i++) {
      const r = await asrOnce(adapter);
      first.push(r.firstMs);
      final.push(r.finalMs);
    }
    results[name] = { firstResultMs: pcts(first), finalAfterEndMs: pcts(final) };
    process.stdout.write(
      `${name.padEnd(28)} first result p50 ${pcts(first).p50} ms p95 ${pcts(first).p95} ms | final after end p50 ${pcts(final).p50} ms p95 ${pcts(final).p95} ms\n`,
    );
  }

  const ttsCases: [string, TtsAdapter][] = [
    ['tts espeak in-process', new EspeakTts()],
    ['tts riva gRPC (espeak)', new RivaTts({ address })],
  ];
  for (const [name, adapter] of ttsCases) {
    await ttsOnce(adapter);
    const first: number[] = [];
    const total: number[] = [];
    let audioMs = 0;
    for (let i = 0; i < runs; i++) {
      const r = await ttsOnce(adapter);
      first.push(r.firstMs);
      total.push(r.totalMs);
      audioMs = r.audioMs;
    }
    results[name] = { firstAudioMs: pcts(first), totalMs: pcts(total), audioMs };
    process.stdout.write(
      `${name.padEnd(28)} first audio p50 ${pcts(first).p50} ms p95 ${pcts(first).p95} ms | all ${Math.round(audioMs)} ms of audio p50 ${pcts(total).p50} ms\n`,
    );
  }

  const riva = new RivaAsr({ address });
  const t0 = performance.now();
  const par = await Promise.all(Array.from({ length: concurrency }, () => asrOnce(riva)));
  const wallMs = Math.round(performance.now() - t0);
  const finals = par.map((r) => r.finalMs);
  results[`asr riva gRPC x${concurrency}`] = { wallMs, finalAfterEndMs: pcts(finals) };
  process.stdout.write(
    `asr riva gRPC x${concurrency} at once     wall ${wallMs} ms | final after end p50 ${pcts(finals).p50} ms p95 ${pcts(finals).p95} ms\n`,
  );

  process.stdout.write(`${JSON.stringify({ bench: 'speech-grpc', machine, runs, results })}\n`);
  await Promise.all([
    riva.close(),
    ...asrCases.map(([, a]) => a.close?.()),
    ...ttsCases.map(([, a]) => a.close?.()),
  ]);
  await Promise.all([server.shutdown(500), vosk.close(), funasr.close()]);
}

await main();
