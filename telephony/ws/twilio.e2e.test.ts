/**
 * End to end over loopback: the real engine running the walking-skeleton handler, and the
 * simulated caller playing Twilio Media Streams (mu-law, marks echoed after playout, clear).
 */

import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { SkeletonEvent } from '../../dialogs/skeleton/echo-menu.ts';
import { type SkeletonEngine, startSkeletonEngine } from '../../dialogs/skeleton/skeleton-engine.ts';
import { mulawDecode, mulawEncode } from '../../engine/audio/g711.ts';
import { readWav } from '../../engine/audio/wav.ts';
import { bestMatch } from '../../fixtures/sim-caller/audio-match.ts';
import { SimCaller } from '../../fixtures/sim-caller/sim-caller.ts';

const PROMPTS = new URL('../../fixtures/prompts/', import.meta.url);
const CALLERS = new URL('../../fixtures/callers/', import.meta.url);
const prompt = (name: string) => readWav(readFileSync(new URL(`${name}.wav`, PROMPTS))).samples;
const callerClip = (name: string) => new URL(`${name}.wav`, CALLERS).pathname;

/** What a prompt sounds like after the engine's mu-law encoding, padded to whole 20 ms frames. */
function overMulaw(samples: Int16Array): Int16Array {
  const padded = new Int16Array(Math.ceil(samples.length / 160) * 160);
  padded.set(samples);
  return mulawDecode(mulawEncode(padded));
}

let sk: SkeletonEngine | null = null;
let events: SkeletonEvent[] = [];
const callers: SimCaller[] = [];

afterEach(async () => {
  for (const c of callers.splice(0)) if (!c.closeInfo) c.terminate();
  await sk?.close();
  sk = null;
});

async function call(): Promise<SimCaller> {
  events = [];
  sk ??= await startSkeletonEngine({ onEvent: (e) => events.push(e) });
  const caller = new SimCaller({ url: sk.engine.url, protocol: 'twilio', token: sk.token() });
  callers.push(caller);
  await caller.connect();
  return caller;
}

async function waitForSkeleton(
  match: (e: SkeletonEvent) => boolean,
  timeoutMs = 5000,
): Promise<SkeletonEvent> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const found = events.find(match);
    if (found) return found;
    if (performance.now() > until)
      throw new Error(`skeleton event not seen; got ${events.map((e) => e.type).join(', ')}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const markOf = (name: string) => (e: SkeletonEvent) =>
  e.type === 'skeleton.mark' && String(e.name).startsWith(`${name}:`);

describe('Twilio end to end (engine + walking skeleton + simulated caller)', () => {
  it('the greeting arrives whole, paced in real time, sample-exact; its mark is echoed after playout', async () => {
    const caller = await call();
    const mark = await waitForSkeleton(markOf('greeting'), 8000);
    expect(mark.played).toBe(true);
    const greeting = prompt('greeting');
    const heard = caller.heardAudio();
    expect(Array.from(heard)).toEqual(Array.from(overMulaw(greeting)));
    // Paced: the frames arrived over the prompt's duration, not in a burst.
    const segs = caller.heardSegments();
    const spreadMs = segs.at(-1)!.arrivedMs - segs[0]!.arrivedMs;
    const greetingMs = (greeting.length * 1000) / 8000;
    expect(spreadMs).toBeGreaterThan(greetingMs - 200);
    // (Upper bound loose: on a busy machine event-loop stalls stretch the schedule a little.)
    expect(spreadMs).toBeLessThan(greetingMs + 1500);
    // The caller echoed the mark once its playout clock had played everything before it.
    const echoed = await caller.waitFor('caller.mark');
    expect(echoed.cleared).toBe(false);
    const start = await caller.waitFor('bot.audio.start');
    expect(echoed.atMs - start.atMs).toBeGreaterThan(greetingMs - 100);
    expect(caller.stats().jitter.count).toBeGreaterThan(200);
  }, 10_000);

  it('barge-in: caller speech during the greeting stops bot audio within 60 ms; the mark is reported cleared', async () => {
    const caller = await call();
    await caller.waitFor('bot.audio.start');
    await new Promise((r) => setTimeout(r, 600));
    void caller.play(callerClip('interrupt'));
    const barge = await waitForSkeleton((e) => e.type === 'skeleton.barge_in', 3000);
    expect(barge.cause).toBe('speech');
    const clear = await caller.waitFor('bot.clear');
    const clearAt = caller.startedAt + clear.atMs;
    expect(clearAt - barge.atMs).toBeLessThan(60);
    // Nothing after the clear: the last bot frame arrived no later than the clear itself.
    const lastFrame = caller.startedAt + caller.heardSegments().at(-1)!.arrivedMs;
    expect(lastFrame - barge.atMs).toBeLessThan(60);
    expect(lastFrame).toBeLessThanOrEqual(clearAt + 1);
    // The greeting's mark was still queued in the engine behind the unsent audio: the engine
    // reports it not played itself, and it never reaches the caller.
    expect(clear.marks).toEqual([]);
    const mark = await waitForSkeleton(markOf('greeting'));
    expect(mark.played).toBe(false);
    // The caller heard only the part of the greeting before it spoke up.
    expect(caller.stats().heardMs).toBeLessThan(2500);
    const framesAtClear = caller.stats().framesReceived;
    await new Promise((r) => setTimeout(r, 300));
    expect(caller.stats().framesReceived).toBe(framesAtClear);
    expect(caller.events.some((e) => e.type === 'caller.mark')).toBe(false);
  }, 10_000);

  it('DTMF 1 enters echo mode and the caller hears its own words played back', async () => {
    const caller = await call();
    await caller.waitFor('bot.audio.start');
    caller.dtmf('1');
    await waitForSkeleton(markOf('echo'), 4000);
    const heardBefore = caller.heardAudio().length;
    await caller.play(callerClip('hello'));
    const echo = await waitForSkeleton((e) => e.type === 'skeleton.echo', 4000);
    expect(echo.ms as number).toBeGreaterThan(1400);
    expect(echo.mark).toMatch(/^playback:/);
    const played = await waitForSkeleton((e) => e.type === 'skeleton.mark' && e.name === echo.mark, 6000);
    expect(played.played).toBe(true);
    const heardEcho = caller.heardAudio().subarray(heardBefore);
    const clip = readWav(readFileSync(callerClip('hello'))).samples;
    const match = bestMatch(heardEcho, clip);
    expect(match.correlation).toBeGreaterThan(0.9);
    const response = caller.stats().responses.find((r) => r.trigger === 'speech');
    expect(response?.latencyMs).toBeLessThan(2000);
  }, 12_000);

  it('DTMF 2 then digits: each digit is read back with its own clip', async () => {
    const caller = await call();
    await caller.waitFor('bot.audio.start');
    caller.dtmf('2');
    await waitForSkeleton((e) => e.type === 'skeleton.prompt' && e.name === 'digits');
    caller.dtmf('4');
    await waitForSkeleton(markOf('digit-4'), 3000);
    caller.dtmf('7');
    const mark = await waitForSkeleton(markOf('digit-7'), 3000);
    expect(mark.played).toBe(true);
    const names = events.filter((e) => e.type === 'skeleton.prompt').map((e) => e.name);
    expect(names).toEqual(['greeting', 'digits', 'digit-4', 'digit-7']);
    const tail = overMulaw(prompt('digit-7'));
    const heard = caller.heardAudio();
    expect(Array.from(heard.subarray(heard.length - tail.length))).toEqual(Array.from(tail));
  }, 10_000);

  it('# says goodbye, then the bot hangs up with close 1000 and the call is cleaned up', async () => {
    const caller = await call();
    await caller.waitFor('bot.audio.start');
    expect(sk!.engine.gateway.activeCalls()).toBe(1);
    caller.dtmf('#');
    const closed = await caller.closed();
    expect(closed).toMatchObject({ code: 1000, by: 'bot' });
    const tail = overMulaw(prompt('goodbye'));
    const heard = caller.heardAudio();
    expect(Array.from(heard.subarray(heard.length - tail.length))).toEqual(Array.from(tail));
    expect(sk!.engine.gateway.activeCalls()).toBe(0);
    expect(events.at(-1)).toMatchObject({ type: 'skeleton.hangup', reason: 'bot' });
  }, 10_000);

  it('caller hang-up (stop) ends the call on the server: activeCalls back to 0', async () => {
    const caller = await call();
    await caller.waitFor('bot.audio.start');
    expect(sk!.engine.gateway.activeCalls()).toBe(1);
    const closed = await caller.hangup();
    expect(closed.by).toBe('caller');
    const hangup = await waitForSkeleton((e) => e.type === 'skeleton.hangup', 2000);
    expect(hangup.reason).toBe('caller');
    expect(sk!.engine.gateway.activeCalls()).toBe(0);
  }, 10_000);

  it('0 asks for an agent; Twilio legs cannot transfer, so the caller hears "no agent is free"', async () => {
    const caller = await call();
    await caller.waitFor('bot.audio.start');
    caller.dtmf('0');
    const transfer = await waitForSkeleton((e) => e.type === 'skeleton.transfer', 5000);
    expect(transfer).toMatchObject({ ok: false, code: 'TRANSFER_UNSUPPORTED' });
    await waitForSkeleton(markOf('no-agent'), 4000);
    expect(caller.connected).toBe(true);
  }, 10_000);
});
