/**
 * TTS benchmark: time to first audio (cold: a fresh synthesis by the engine; cached: memory and
 * disk hits of CachedTts), whole-prompt synthesis time and real-time factor, for espeak-ng in
 * English and Mandarin at 8 kHz.
 *
 *   node --import tsx bench/speech-tts.ts [--reps 10]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Language } from '../asr-tts/asr.ts';
import { CachedTts } from '../asr-tts/cache/cached-tts.ts';
import { EspeakTts } from '../asr-tts/providers/espeak/espeak-tts.ts';
import type { TtsAdapter } from '../asr-tts/tts.ts';
import { machineInfo, percentile, round } from './speech-machine.ts';

const { values } = parseArgs({ options: { reps: { type: 'string', default: '10' } } });
const reps = Number(values.reps);

const PROMPTS: { language: Language; text: string }[] = [
  {
    language: 'en-US',
    text: 'Thank you for calling Pizza Express. Would you like to repeat your last order?',
  },
  { language: 'zh-CN', text: '您好，欢迎致电饺子馆。请问您要点什么？' },
];

async function timeOne(tts: TtsAdapter, text: string, language: Language) {
  const t0 = performance.now();
  let first = 0;
  let audioMs = 0;
  for await (const f of tts.synthesize(text, { language, sampleRate: 8000 })) {
    if (first === 0) first = performance.now() - t0;
    audioMs += (f.samples.length * 1000) / f.sampleRate;
  }
  return { firstMs: first, totalMs: performance.now() - t0, audioMs };
}

const results: Record<string, unknown>[] = [];
const dir = mkdtempSync(join(tmpdir(), 'voicebot-bench-tts-'));
try {
  for (const p of PROMPTS) {
    const cold: Awaited<ReturnType<typeof timeOne>>[] = [];
    const engine = new EspeakTts();
    for (let i = 0; i < reps; i++) cold.push(await timeOne(engine, p.text, p.language));
    const warm = new CachedTts(new EspeakTts(), { dir });
    await timeOne(warm, p.text, p.language);
    const mem: number[] = [];
    const disk: number[] = [];
    for (let i = 0; i < reps; i++) {
      mem.push((await timeOne(warm, p.text, p.language)).firstMs);
      const fresh = new CachedTts(new EspeakTts(), { dir });
      disk.push((await timeOne(fresh, p.text, p.language)).firstMs);
    }
    const r = {
      engine: 'espeak-ng',
      language: p.language,
      audioMs: round(cold[0]!.audioMs, 0),
      coldFirstAudioMs: {
        p50: round(
          percentile(
            cold.map((c) => c.firstMs),
            50,
          ),
        ),
        p95: round(
          percentile(
            cold.map((c) => c.firstMs),
            95,
          ),
        ),
      },
      coldTotalMs: {
        p50: round(
          percentile(
            cold.map((c) => c.totalMs),
            50,
          ),
        ),
      },
      rtf: round(
        percentile(
          cold.map((c) => c.totalMs / c.audioMs),
          50,
        ),
        3,
      ),
      memoryHitFirstAudioMs: { p50: round(percentile(mem, 50), 3), p95: round(percentile(mem, 95), 3) },
      diskHitFirstAudioMs: { p50: round(percentile(disk, 50), 3), p95: round(percentile(disk, 95), 3) },
      reps,
    };
    results.push(r);
    console.log(
      `${p.language}: audio ${r.audioMs} ms; first audio cold p50 ${r.coldFirstAudioMs.p50} ms (p95 ${r.coldFirstAudioMs.p95}), ` +
        `memory hit ${r.memoryHitFirstAudioMs.p50} ms, disk hit ${r.diskHitFirstAudioMs.p50} ms; RTF ${r.rtf}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify({ bench: 'speech-tts', machine: machineInfo(), results }));
