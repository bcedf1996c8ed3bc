/**
 * VAD benchmark on the speech fixture set (8 kHz, G.711 channel), WebRTC VAD vs the energy VAD:
 * - onset: reported onset error (event atMs - true speech start) and decision latency (media
 *   time of the frame whose process() returned speech_start - true start), clean and at 20/10 dB
 *   SNR; misses (no speech_start during the speech);
 * - false triggers: speech_start events per minute on noise-only clips (pink, brown, white), and
 *   starts before the speech in noisy speech clips;
 * - cost: microseconds per 20 ms frame.
 *
 *   node --import tsx bench/speech-vad.ts
 */

import { WebRtcVad } from '../asr-tts/providers/webrtc-vad/webrtc-vad.ts';
import type { Vad } from '../asr-tts/vad.ts';
import { type AudioFrame, toFrames } from '../engine/audio/frame.ts';
import { EnergyVad } from '../engine/audio/vad-energy.ts';
import { type Clip, loadFixtures } from '../fixtures/speech/load.ts';
import { machineInfo, percentile, round } from './speech-machine.ts';

const clips = loadFixtures();
const makers: [string, () => Promise<Vad>][] = [
  ['webrtc-vad', () => WebRtcVad.create()],
  ['energy', async () => new EnergyVad()],
];

interface Run {
  starts: { atMs: number; decidedMs: number }[];
  usPerFrame: number;
}

function run(vad: Vad, clip: Clip): Run {
  const starts: Run['starts'] = [];
  const frames: AudioFrame[] = [...toFrames(clip.samples, 8000)];
  const t0 = performance.now();
  for (const f of frames) {
    for (const e of vad.process(f))
      if (e.type === 'vad.speech_start') starts.push({ atMs: e.atMs, decidedMs: f.timestampMs + 20 });
  }
  return { starts, usPerFrame: ((performance.now() - t0) * 1000) / frames.length };
}

const results: Record<string, unknown>[] = [];
for (const [name, make] of makers) {
  const bySnr = new Map<
    string,
    { onsetErr: number[]; decision: number[]; misses: number; early: number; clips: number }
  >();
  const cost: number[] = [];
  for (const c of clips.filter((x) => x.kind === 'speech')) {
    const vad = await make();
    const r = run(vad, c);
    vad.close?.();
    cost.push(r.usPerFrame);
    const key = c.snrDb === null ? 'clean' : `snr${c.snrDb}`;
    const s = bySnr.get(key) ?? { onsetErr: [], decision: [], misses: 0, early: 0, clips: 0 };
    s.clips++;
    s.early += r.starts.filter((x) => x.atMs < c.speechStartMs! - 100).length;
    const hit = r.starts.find((x) => x.atMs >= c.speechStartMs! - 100 && x.atMs <= c.speechEndMs!);
    if (hit) {
      s.onsetErr.push(hit.atMs - c.speechStartMs!);
      s.decision.push(hit.decidedMs - c.speechStartMs!);
    } else s.misses++;
    bySnr.set(key, s);
  }
  const onset = Object.fromEntries(
    [...bySnr].map(([k, s]) => [
      k,
      {
        clips: s.clips,
        missRate: round(s.misses / s.clips, 3),
        onsetErrorMs: { p50: round(percentile(s.onsetErr, 50)), p95: round(percentile(s.onsetErr, 95)) },
        decisionLatencyMs: { p50: round(percentile(s.decision, 50)), p95: round(percentile(s.decision, 95)) },
        startsBeforeSpeech: s.early,
      },
    ]),
  );
  const noise: Record<string, number> = {};
  for (const c of clips.filter((x) => x.kind === 'noise')) {
    const vad = await make();
    const r = run(vad, c);
    vad.close?.();
    noise[c.noise!] = round((r.starts.length * 60_000) / c.durationMs, 1);
  }
  const r = {
    vad: name,
    onset,
    falseStartsPerMinuteOnNoise: noise,
    usPerFrame: round(percentile(cost, 50), 1),
  };
  results.push(r);
  console.log(`${name}:`);
  for (const [k, v] of Object.entries(onset)) console.log(`  ${k.padEnd(6)} ${JSON.stringify(v)}`);
  console.log(
    `  false starts/min on noise-only clips: ${JSON.stringify(noise)}; ${r.usPerFrame} us per 20 ms frame`,
  );
}
console.log(JSON.stringify({ bench: 'speech-vad', machine: machineInfo(), results }));
