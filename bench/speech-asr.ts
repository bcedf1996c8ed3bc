/**
 * Embedded ASR benchmark on the speech fixture set (fixtures/speech/set: espeak-ng voices through
 * a G.711 channel, clean and with pink noise at 20/10 dB SNR):
 * - accuracy: word error rate (English) / character error rate (Mandarin), open vocabulary and
 *   grammar mode (each clip with the grammar a bot would use; also exact-match rate);
 * - real-time factor of one stream (wall time to final / audio time, audio pushed at once);
 * - max concurrent real-time streams per core: audio seconds decoded per wall second with many
 *   streams pushed at once into one single-threaded worker (= one core).
 * Engines: pocketsphinx (Debian), sherpa-onnx when a model is in --models-dir.
 *
 *   node --import tsx bench/speech-asr.ts [--engine pocketsphinx|sherpa|all] [--models-dir ../shared/models] [--limit N]
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { AsrAdapter, AsrEvent, Grammar, Language } from '../asr-tts/asr.ts';
import { PocketsphinxAsr } from '../asr-tts/providers/pocketsphinx/pocketsphinx-asr.ts';
import { findModels } from '../asr-tts/providers/sherpa/model-layout.ts';
import { SherpaAsr } from '../asr-tts/providers/sherpa/sherpa-asr.ts';
import { toFrames } from '../engine/audio/frame.ts';
import { type Clip, loadFixtures } from '../fixtures/speech/load.ts';
import { machineInfo, round } from './speech-machine.ts';

const { values } = parseArgs({
  options: {
    engine: { type: 'string', default: 'all' },
    'models-dir': { type: 'string', default: process.env.VOICEBOT_MODELS_DIR ?? '../shared/models' },
    limit: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '16' },
  },
});
const limit = Number(values.limit);

/** Levenshtein distance between token lists. */
export function editDistance(a: string[], b: string[]): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length]!;
}

/** Words (English), characters (Mandarin), or single digits for a digit-string result. */
function tokens(text: string, language: Language): string[] {
  if (/^\d+$/.test(text)) return [...text];
  const t = text.toLowerCase().replace(/[.,!?，。！？、]/g, ' ');
  return language === 'zh-CN' ? [...t.replace(/\s+/g, '')] : t.split(/\s+/).filter(Boolean);
}

async function recognize(
  asr: AsrAdapter,
  clip: Clip,
  grammar?: Grammar,
): Promise<{ text: string; wallMs: number; error?: string }> {
  const t0 = performance.now();
  const s = asr.stream({ language: clip.language!, ...(grammar ? { grammar } : {}) });
  for (const f of toFrames(clip.samples, 8000)) s.push(f);
  s.end();
  const finals: string[] = [];
  let error: string | undefined;
  const timer = setTimeout(() => {
    error = 'timeout: no end after 60 s';
    s.close();
  }, 60_000);
  for await (const e of s as AsyncIterable<AsrEvent>) {
    if (e.type === 'asr.final') finals.push(e.text);
    if (e.type === 'asr.error') error = `${e.code}: ${e.message}`;
  }
  clearTimeout(timer);
  if (error) console.error(`  ${clip.id}: ${error}`);
  return { text: finals.join(' ').trim(), wallMs: performance.now() - t0, ...(error ? { error } : {}) };
}

interface Score {
  clips: number;
  refTokens: number;
  errors: number;
  exact: number;
  wallMs: number;
  audioMs: number;
}

function add(
  map: Map<string, Score>,
  key: string,
  ref: string[],
  hyp: string[],
  exact: boolean,
  wallMs: number,
  audioMs: number,
) {
  const s = map.get(key) ?? { clips: 0, refTokens: 0, errors: 0, exact: 0, wallMs: 0, audioMs: 0 };
  s.clips++;
  s.refTokens += ref.length;
  s.errors += editDistance(ref, hyp);
  s.exact += exact ? 1 : 0;
  s.wallMs += wallMs;
  s.audioMs += audioMs;
  map.set(key, s);
}

function summarize(map: Map<string, Score>) {
  return Object.fromEntries(
    [...map].map(([k, s]) => [
      k,
      {
        clips: s.clips,
        errorRate: round(s.errors / s.refTokens, 3),
        exact: round(s.exact / s.clips, 3),
        rtf: round(s.wallMs / s.audioMs, 3),
      },
    ]),
  );
}

async function throughput(asr: AsrAdapter, clips: Clip[], concurrency: number) {
  const batch = Array.from({ length: concurrency }, (_, i) => clips[i % clips.length]!);
  const t0 = performance.now();
  await Promise.all(batch.map((c) => recognize(asr, c, c.grammar)));
  const wallMs = performance.now() - t0;
  const audioMs = batch.reduce((a, c) => a + c.durationMs, 0);
  return {
    concurrency,
    audioSeconds: round(audioMs / 1000),
    wallSeconds: round(wallMs / 1000),
    streamsPerCore: round(audioMs / wallMs, 1),
  };
}

const speech = loadFixtures()
  .filter((c) => c.kind === 'speech')
  .slice(0, limit);
const results: Record<string, unknown>[] = [];
const log = (s: string) => console.log(s);

if (values.engine === 'all' || values.engine === 'pocketsphinx') {
  const ps = new PocketsphinxAsr({ workers: 1, preloadLm: true });
  await ps.warmUp();
  const english = speech.filter((c) => c.language === 'en-US');
  const grammarMode = new Map<string, Score>();
  const openMode = new Map<string, Score>();
  const samples: string[] = [];
  for (const c of english) {
    const snr = c.snrDb === null ? 'clean' : `snr${c.snrDb}`;
    const ref = tokens(c.text, 'en-US');
    if (c.grammar) {
      const g = await recognize(ps, c, c.grammar);
      const expectedTokens = tokens(c.expected ?? c.text, 'en-US');
      add(
        grammarMode,
        `en-US/${c.grammar.kind}/${snr}`,
        expectedTokens,
        tokens(g.text, 'en-US'),
        g.text === c.expected,
        g.wallMs,
        c.durationMs,
      );
      add(
        grammarMode,
        `en-US/all/${snr}`,
        expectedTokens,
        tokens(g.text, 'en-US'),
        g.text === c.expected,
        g.wallMs,
        c.durationMs,
      );
      if (samples.length < 6 && g.text !== c.expected)
        samples.push(`grammar miss ${c.id}: "${g.text}" (expected "${c.expected}")`);
    }
    const o = await recognize(ps, c);
    add(openMode, `en-US/${snr}`, ref, tokens(o.text, 'en-US'), o.text === c.text, o.wallMs, c.durationMs);
    if (c.snrDb === null && c.voice === 'en-us') samples.push(`open ${c.id}: "${o.text}"`);
  }
  const grammarClips = english.filter((c) => c.grammar && c.snrDb === null);
  const tp = await throughput(ps, grammarClips, Number(values.concurrency));
  await ps.close();
  const r = {
    engine: 'pocketsphinx',
    grammar: summarize(grammarMode),
    open: summarize(openMode),
    throughput: tp,
    examples: samples,
  };
  results.push(r);
  log('pocketsphinx grammar mode (errorRate = WER vs expected result, exact = exact-match rate):');
  for (const [k, v] of Object.entries(r.grammar)) log(`  ${k.padEnd(28)} ${JSON.stringify(v)}`);
  log('pocketsphinx open vocabulary (en-us generic LM):');
  for (const [k, v] of Object.entries(r.open)) log(`  ${k.padEnd(28)} ${JSON.stringify(v)}`);
  log(`pocketsphinx throughput, 1 worker = 1 core: ${JSON.stringify(tp)}`);
  for (const s of samples) log(`  ${s}`);
}

if (values.engine === 'all' || values.engine === 'sherpa') {
  const dir = resolve(values['models-dir']!);
  const models = findModels(dir);
  if (models.length === 0) {
    log(`sherpa-onnx: skipped, no streaming model in ${dir} (see docs/speech.md)`);
    results.push({ engine: 'sherpa-onnx', skipped: `no model in ${dir}` });
  }
  for (const m of models) {
    const asr = new SherpaAsr({ modelsDir: dir, model: m.name });
    await asr.load();
    const open = new Map<string, Score>();
    for (const c of speech.filter((x) => m.languages.includes(x.language!))) {
      const o = await recognize(asr, c);
      const snr = c.snrDb === null ? 'clean' : `snr${c.snrDb}`;
      add(
        open,
        `${c.language}/${snr}`,
        tokens(c.text, c.language!),
        tokens(o.text, c.language!),
        o.text === c.text,
        o.wallMs,
        c.durationMs,
      );
    }
    const tp = await throughput(
      asr,
      speech.filter((c) => c.snrDb === null && m.languages.includes(c.language!)),
      Number(values.concurrency),
    );
    const r = { engine: 'sherpa-onnx', model: m.name, open: summarize(open), throughput: tp };
    results.push(r);
    log(`sherpa-onnx ${m.name} (errorRate = WER en / CER zh):`);
    for (const [k, v] of Object.entries(r.open)) log(`  ${k.padEnd(28)} ${JSON.stringify(v)}`);
    log(`  throughput (numThreads 1): ${JSON.stringify(tp)}`);
  }
}

console.log(JSON.stringify({ bench: 'speech-asr', machine: machineInfo(), results }));
