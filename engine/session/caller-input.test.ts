import { describe, expect, it } from 'vitest';
import { concat } from '../../asr-tts/testing/speech-audio.ts';
import { WebRtcVad } from '../../asr-tts/providers/webrtc-vad/webrtc-vad.ts';
import type { Vad } from '../../asr-tts/vad.ts';
import { CallerInput, type CallerInputOptions, type SpeechEdge } from './caller-input.ts';
import { clip, lineNoise, mixInto, speechStartMs } from './testing/line-audio.ts';

const RATE = 8000;
const BOT_AT_MS = 2000;
const bot = concat(
  clip('en-two-large-pizzas-en-us-160'),
  clip('en-open-address-en-us-160'),
  clip('en-cancel-my-order-en-us-160'),
);

/**
 * The caller's line from t=0: pink noise at `snrDb` (none: silent), the bot playing from
 * BOT_AT_MS (heard through the gate as the reference, no echo on the line) and `extra` mixed in
 * at `atMs`. Returns the edges CallerInput reported (frame end time when reported) and the input.
 */
async function listen(
  opts: { snrDb?: number; extra?: Int16Array; atMs?: number },
  options?: CallerInputOptions,
  vad?: Vad,
) {
  const total = (BOT_AT_MS * RATE) / 1000 + bot.length + RATE;
  const line = new Int16Array(total);
  if (opts.snrDb !== undefined) mixInto(line, lineNoise(total, opts.snrDb));
  if (opts.extra) mixInto(line, opts.extra, ((opts.atMs ?? 0) * RATE) / 1000);
  const input = new CallerInput(vad ?? (await WebRtcVad.create()), options);
  input.echo.played(bot, RATE, BOT_AT_MS);
  const edges: (SpeechEdge & { reportedMs: number })[] = [];
  for (let i = 0; i + 160 <= total; i += 160) {
    const t = (i * 1000) / RATE;
    const frame = { samples: line.subarray(i, i + 160), sampleRate: RATE as 8000, timestampMs: t };
    for (const e of input.push(frame, t)) edges.push({ ...e, reportedMs: t + 20 });
  }
  input.close();
  return { edges, input };
}

const CALLERS = [
  ['en-talk-to-a-person-en-us-160', 3500],
  ['en-two-large-pizzas-en-us-160', 4700],
  ['en-cancel-my-order-en-us-160', 5300],
  ['en-yes-en-us-160', 6300],
] as const;

describe('caller input (echo gate, onset, WebRTC VAD)', () => {
  it('a silent line (digital silence) under the prompt and before it reports no speech', async () => {
    const { edges, input } = await listen({});
    expect(edges).toEqual([]);
    expect(input.onsetStarts).toBe(0);
  });

  for (const snrDb of [20, 10]) {
    it(`line noise at ${snrDb} dB SNR, before and under the prompt, reports no speech`, async () => {
      const { edges, input } = await listen({ snrDb });
      expect(edges).toEqual([]);
      expect(input.echo.state.noiseFrames).toBeGreaterThan(100);
    });

    it(`${snrDb} dB line: the caller over the prompt is reported within 160 ms of the onset, once`, async () => {
      for (const [name, atMs] of CALLERS) {
        const { edges } = await listen({ snrDb, extra: clip(name), atMs });
        const onset = atMs + speechStartMs(name);
        const starts = edges.filter((e) => e.type === 'start');
        expect(starts).toHaveLength(1);
        const start = starts[0]!;
        // Reported with 60 ms heard: the turn machine pauses the bot 40 ms later, within 200 ms.
        expect(start.reportedMs - onset).toBeLessThanOrEqual(160);
        expect(start.reportedMs - onset).toBeGreaterThanOrEqual(40);
        // The report carries how much was heard; the onset it names is the caller's.
        expect(start.type === 'start' && Math.abs(start.atMs + start.heardMs - start.reportedMs)).toBe(0);
        expect(Math.abs(start.atMs - onset)).toBeLessThanOrEqual(100);
        expect(edges.filter((e) => e.type === 'end')).toHaveLength(1);
      }
    });
  }

  it('without the onset the WebRTC VAD alone reports later (120 ms of voiced blocks in a row)', async () => {
    const [name, atMs] = CALLERS[0];
    const onset = atMs + speechStartMs(name);
    const fast = await listen({ snrDb: 10, extra: clip(name), atMs });
    const vadOnly = await listen({ snrDb: 10, extra: clip(name), atMs }, { onsetMs: 0 });
    const first = (r: typeof fast) => r.edges.find((e) => e.type === 'start')?.reportedMs ?? Infinity;
    expect(first(vadOnly) - onset).toBeGreaterThanOrEqual(120);
    expect(first(fast)).toBeLessThan(first(vadOnly));
    expect(fast.input.onsetStarts).toBe(1);
  });

  it('a sound the VAD does not confirm: its start is followed by an end within confirmMs', async () => {
    // A detector that never hears speech: only the onset reports, and nothing confirms it.
    const deaf: Vad = { name: 'deaf', speaking: false, process: () => [], reset: () => {} };
    const burst = clip('en-yes-en-us-160');
    const { edges, input } = await listen({ snrDb: 20, extra: burst, atMs: 5000 }, {}, deaf);
    const onset = 5000 + speechStartMs('en-yes-en-us-160');
    expect(edges.map((e) => e.type)).toEqual(['start', 'end']);
    const [start, end] = edges;
    expect(start!.reportedMs - onset).toBeLessThanOrEqual(160);
    expect(end!.reportedMs - start!.reportedMs).toBe(400);
    expect(input.unconfirmed).toBe(1);
    expect(input.speaking).toBe(false);
  });
});
