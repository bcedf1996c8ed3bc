import { describe, expect, it } from 'vitest';
import { concat } from '../../asr-tts/testing/speech-audio.ts';
import { WebRtcVad } from '../../asr-tts/providers/webrtc-vad/webrtc-vad.ts';
import { EchoGate } from './echo-gate.ts';
import { clip, lineNoise, mixInto, speechStartMs } from './testing/line-audio.ts';

/**
 * The bot plays `bot` from `botAtMs` (default 0); the caller's line carries it back at `echoDb`
 * after `delayMs`, plus pink noise at `snrDb` from t=0, plus `caller` speech from `callerAtMs`.
 * Returns the VAD speech starts (ms) with and without the gate.
 */
async function run(
  bot: Int16Array,
  opts: {
    delayMs: number;
    echoDb: number | null;
    caller?: Int16Array;
    callerAtMs?: number;
    snrDb?: number;
    botAtMs?: number;
  },
) {
  const rate = 8000;
  const gain = opts.echoDb === null ? 0 : 10 ** (opts.echoDb / 20);
  const botAt = ((opts.botAtMs ?? 0) * rate) / 1000;
  const total = botAt + bot.length + rate;
  const line = new Int16Array(total);
  const d = Math.round((opts.delayMs * rate) / 1000);
  for (let i = 0; i < bot.length; i++) line[botAt + i + d] = Math.round((bot[i] ?? 0) * gain);
  if (opts.snrDb !== undefined) mixInto(line, lineNoise(total, opts.snrDb));
  if (opts.caller) mixInto(line, opts.caller, ((opts.callerAtMs ?? 0) * rate) / 1000);
  const gate = new EchoGate();
  gate.played(bot, rate, opts.botAtMs ?? 0);
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
  const bot = concat(
    clip('en-two-large-pizzas-en-us-160'),
    clip('en-open-address-en-us-160'),
    clip('en-cancel-my-order-en-us-160'),
  );

  const meta = (name: string) => ({ speechStartMs: speechStartMs(name) });

  for (const echoDb of [-3, -6, -10]) {
    for (const delayMs of [40, 100, 200, 300]) {
      it(`the bot looped back at ${echoDb} dB after ${delayMs} ms never starts speech; without the gate it does`, async () => {
        const { starts, gate } = await run(bot, { delayMs, echoDb });
        expect(starts.raw.length).toBeGreaterThan(0);
        expect(starts.gated).toEqual([]);
        expect(gate.state.mode).toBe('echo');
        expect(Math.abs((gate.state.delayMs ?? 0) - delayMs)).toBeLessThanOrEqual(40);
        expect(Math.abs((gate.state.echoReturnDb ?? 0) - echoDb)).toBeLessThanOrEqual(6);
      });
    }
  }

  it('the caller talking over the echo is still heard, within 250 ms of their onset', async () => {
    const name = 'en-talk-to-a-person-en-us-160';
    const { starts } = await run(bot, { delayMs: 100, echoDb: -10, caller: clip(name), callerAtMs: 1500 });
    const onset = 1500 + meta(name).speechStartMs;
    const first = starts.gated.find((t) => t >= onset - 100);
    expect(first).toBeDefined();
    expect((first ?? 0) - onset).toBeLessThanOrEqual(250);
  });

  it('no echo on the line: once learned, the caller over a loud prompt is heard as fast as with no gate', async () => {
    for (const [name, at] of [
      ['en-talk-to-a-person-en-us-160', 1200],
      ['en-two-large-pizzas-en-us-160', 2500],
      ['en-cancel-my-order-en-us-160', 4000],
    ] as const) {
      const { starts } = await run(bot, { delayMs: 0, echoDb: null, caller: clip(name), callerAtMs: at });
      expect(starts.raw.length).toBeGreaterThan(0);
      expect(starts.gated[0]).toBe(starts.raw[0]);
    }
  });

  for (const snrDb of [20, 10]) {
    it(`a ${snrDb} dB noisy line with no echo: no echo return measured, the noise never starts speech, the caller is heard within 200 ms`, async () => {
      const quiet = await run(bot, { delayMs: 0, echoDb: null, snrDb, botAtMs: 2000 });
      // The line noise is the VAD's speech without the gate, never with it (bot talking or not).
      expect(quiet.starts.gated).toEqual([]);
      expect(quiet.gate.state.mode).toBe('clear');
      expect(quiet.gate.state.noiseFloorDbfs).toBeGreaterThan(-50);
      for (const [name, at] of [
        ['en-talk-to-a-person-en-us-160', 3500],
        ['en-two-large-pizzas-en-us-160', 4500],
        ['en-cancel-my-order-en-us-160', 6000],
      ] as const) {
        const { starts } = await run(bot, {
          delayMs: 0,
          echoDb: null,
          snrDb,
          botAtMs: 2000,
          caller: clip(name),
          callerAtMs: at,
        });
        const onset = at + meta(name).speechStartMs;
        expect(starts.gated.filter((t) => t < onset - 100)).toEqual([]);
        const first = starts.gated.find((t) => t >= onset - 100);
        expect(first).toBeDefined();
        expect((first ?? 0) - onset).toBeLessThanOrEqual(200);
      }
    });
  }

  it('the bot looped back at -10 dB over 20 dB line noise never starts speech; the caller over both is heard', async () => {
    const quiet = await run(bot, { delayMs: 100, echoDb: -10, snrDb: 20, botAtMs: 2000 });
    expect(quiet.starts.gated).toEqual([]);
    expect(quiet.gate.state.mode).toBe('echo');
    expect(Math.abs((quiet.gate.state.echoReturnDb ?? 0) + 10)).toBeLessThanOrEqual(6);
    const name = 'en-talk-to-a-person-en-us-160';
    const { starts } = await run(bot, {
      delayMs: 100,
      echoDb: -10,
      snrDb: 20,
      botAtMs: 2000,
      caller: clip(name),
      callerAtMs: 4000,
    });
    const onset = 4000 + meta(name).speechStartMs;
    const first = starts.gated.find((t) => t >= onset - 100);
    expect(starts.gated.filter((t) => t < onset - 100)).toEqual([]);
    expect((first ?? Number.POSITIVE_INFINITY) - onset).toBeLessThanOrEqual(300);
  });

  it('a quiet line under the bot measures no echo (mode clear): nothing is gated', () => {
    const gate = new EchoGate();
    gate.played(bot, 8000, 0);
    const quiet = new Int16Array(160).map((_, i) => (i % 7) - 3);
    for (let t = 0; t < 1500; t += 20) gate.isEcho(quiet, t);
    expect(gate.state.mode).toBe('clear');
    expect(gate.state.echoReturnDb).toBeLessThan(-30);
    expect(
      gate.isEcho(
        bot.subarray(12000, 12160).map((v) => v >> 4),
        1500,
      ),
    ).toBe(false);
  });

  it('learning: bot audio the gate has not heard the line through yet is taken as possible echo', () => {
    const gate = new EchoGate();
    gate.played(bot, 8000, 0);
    const loud = bot.subarray(4000, 4160);
    expect(gate.isEcho(loud, 500)).toBe(true);
    expect(gate.state.mode).toBe('learning');
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
