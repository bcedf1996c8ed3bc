import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WebRtcVad } from '../../asr-tts/providers/webrtc-vad/webrtc-vad.ts';
import { readWav } from '../audio/wav.ts';
import { EchoGate } from './echo-gate.ts';

const clip = (name: string): Int16Array =>
  readWav(readFileSync(new URL(`../../fixtures/speech/set/${name}.wav`, import.meta.url))).samples;

/** Concatenate clips into one long bot prompt. */
function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The bot plays `bot` from t=0; the caller's line carries it back at `echoDb` after `delayMs`,
 * plus `caller` speech from `callerAtMs`. Returns the VAD speech starts (ms) with and without the gate.
 */
async function run(
  bot: Int16Array,
  opts: { delayMs: number; echoDb: number; caller?: Int16Array; callerAtMs?: number },
) {
  const rate = 8000;
  const gain = 10 ** (opts.echoDb / 20);
  const total = bot.length + rate;
  const line = new Int16Array(total);
  const d = (opts.delayMs * rate) / 1000;
  for (let i = 0; i < bot.length; i++) line[i + d] = Math.round((bot[i] ?? 0) * gain);
  if (opts.caller) {
    const at = ((opts.callerAtMs ?? 0) * rate) / 1000;
    for (let i = 0; i < opts.caller.length && at + i < total; i++) {
      line[at + i] = Math.max(-32768, Math.min(32767, (line[at + i] ?? 0) + (opts.caller[i] ?? 0)));
    }
  }
  const gate = new EchoGate();
  gate.played(bot, rate, 0);
  const gated = await WebRtcVad.create();
  const raw = await WebRtcVad.create();
  const starts = { gated: [] as number[], raw: [] as number[] };
  const silent = new Int16Array(160);
  for (let i = 0; i + 160 <= total; i += 160) {
    const atMs = (i * 1000) / rate;
    const samples = line.subarray(i, i + 160);
    const frame = { samples, sampleRate: 8000 as const, timestampMs: atMs };
    for (const e of raw.process(frame)) if (e.type === 'vad.speech_start') starts.raw.push(e.atMs);
    const g = gate.isEcho(samples, atMs) ? { ...frame, samples: silent } : frame;
    for (const e of gated.process(g)) if (e.type === 'vad.speech_start') starts.gated.push(e.atMs);
  }
  return { starts, gate };
}

describe('echo gate (espeak-ng speech through G.711, WebRTC VAD)', () => {
  const bot = concat([
    clip('en-two-large-pizzas-en-us-160'),
    clip('en-open-address-en-us-160'),
    clip('en-cancel-my-order-en-us-160'),
  ]);

  it('the bot looped back at -10 dB with 100 ms delay never starts speech; without the gate it does', async () => {
    const { starts, gate } = await run(bot, { delayMs: 100, echoDb: -10 });
    expect(starts.raw.length).toBeGreaterThan(0);
    expect(starts.gated).toEqual([]);
    expect(gate.state.delayMs).not.toBeNull();
    expect(Math.abs((gate.state.delayMs ?? 0) - 100)).toBeLessThanOrEqual(40);
  });

  it('the caller talking over the echo is still heard, within 250 ms of their onset', async () => {
    const caller = clip('en-talk-to-a-person-en-us-160');
    const { starts } = await run(bot, { delayMs: 100, echoDb: -10, caller, callerAtMs: 1500 });
    const meta = JSON.parse(
      readFileSync(
        new URL('../../fixtures/speech/set/en-talk-to-a-person-en-us-160.json', import.meta.url),
        'utf8',
      ),
    ) as { speechStartMs: number };
    const onset = 1500 + meta.speechStartMs;
    const first = starts.gated.find((t) => t >= onset - 100);
    expect(first).toBeDefined();
    expect((first ?? 0) - onset).toBeLessThanOrEqual(250);
  });

  it('nothing is gated when the bot is silent', () => {
    const gate = new EchoGate();
    const speech = clip('en-yes-en-us-160');
    for (let i = 0; i + 160 <= speech.length; i += 160)
      expect(gate.isEcho(speech.subarray(i, i + 160), i / 8)).toBe(false);
  });

  it('cleared playback is no longer a reference', () => {
    const gate = new EchoGate();
    gate.played(bot, 8000, 0);
    gate.cleared(500);
    const quiet = bot.subarray(8000, 8160).map((s) => s >> 3);
    expect(gate.isEcho(quiet, 2000)).toBe(false);
  });
});
