/**
 * End to end over loopback on the raw L16 protocol (jambonz listen style): the real engine with
 * the walking-skeleton handler and the simulated caller at 8 and 16 kHz.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { SkeletonEvent } from '../../dialogs/skeleton/echo-menu.ts';
import { type SkeletonEngine, startSkeletonEngine } from '../../dialogs/skeleton/skeleton-engine.ts';
import { resample } from '../../engine/audio/resample.ts';
import { readWav } from '../../engine/audio/wav.ts';
import { bestMatch } from '../../fixtures/sim-caller/audio-match.ts';
import { SimCaller, type SimCallerOptions } from '../../fixtures/sim-caller/sim-caller.ts';

const PROMPTS = new URL('../../fixtures/prompts/', import.meta.url);
const prompt = (name: string) => readWav(readFileSync(new URL(`${name}.wav`, PROMPTS))).samples;
const callerClip = (name: string) => new URL(`../../fixtures/callers/${name}.wav`, import.meta.url).pathname;

let sk: SkeletonEngine | null = null;
let events: SkeletonEvent[] = [];
const callers: SimCaller[] = [];

afterEach(async () => {
  for (const c of callers.splice(0)) if (!c.closeInfo) c.terminate();
  await sk?.close();
  sk = null;
});

async function call(options: Partial<SimCallerOptions> = {}): Promise<SimCaller> {
  events = [];
  sk ??= await startSkeletonEngine({ onEvent: (e) => events.push(e) });
  const caller = new SimCaller({
    url: sk.engine.url,
    protocol: 'raw',
    token: sk.token(),
    from: '+15550100001',
    to: '+15550100002',
    ...options,
  });
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

describe('raw L16 end to end (engine + walking skeleton + simulated caller)', () => {
  it('16 kHz: the greeting arrives as L16 at the call rate, sample-exact to the resampled prompt', async () => {
    const caller = await call({ sampleRate: 16000 });
    await caller.waitFor('bot.audio.start');
    // Listen to at least 800 ms of it (polling: a busy machine may deliver it a little late).
    const until = performance.now() + 4000;
    while (caller.heardAudio().length < 16000 * 0.8 && performance.now() < until)
      await new Promise((r) => setTimeout(r, 50));
    const heard = caller.heardAudio();
    expect(heard.length).toBeGreaterThanOrEqual(16000 * 0.8);
    const expected = resample(prompt('greeting'), 8000, 16000);
    expect(Array.from(heard)).toEqual(Array.from(expected.subarray(0, heard.length)));
    // 640-byte frames (20 ms at 16 kHz), paced.
    expect(new Set(caller.heardSegments().map((s) => s.samples.length))).toEqual(new Set([320]));
    caller.dtmf('#');
    const closed = await caller.closed();
    expect(closed).toMatchObject({ code: 1000, by: 'bot' });
    expect(caller.events.some((e) => e.type === 'bot.disconnect')).toBe(true);
    expect(sk!.engine.gateway.activeCalls()).toBe(0);
  }, 10_000);

  it('barge-in sends killAudio within 60 ms of the speech onset being detected; the mark is reported cleared', async () => {
    const caller = await call();
    await caller.waitFor('bot.audio.start');
    await new Promise((r) => setTimeout(r, 400));
    void caller.play(callerClip('interrupt'));
    const barge = await waitForSkeleton((e) => e.type === 'skeleton.barge_in', 3000);
    const kill = await caller.waitFor('bot.kill_audio');
    expect(caller.startedAt + kill.atMs - barge.atMs).toBeLessThan(60);
    const frames = caller.stats().framesReceived;
    await new Promise((r) => setTimeout(r, 300));
    expect(caller.stats().framesReceived).toBe(frames);
    expect((await waitForSkeleton(markOf('greeting'))).played).toBe(false);
  }, 10_000);

  it('echo mode on raw: the caller hears its own words back', async () => {
    const caller = await call();
    await caller.waitFor('bot.audio.start');
    caller.dtmf('1');
    await waitForSkeleton(markOf('echo'), 4000);
    const before = caller.heardAudio().length;
    await caller.play(callerClip('hello'));
    const echo = await waitForSkeleton((e) => e.type === 'skeleton.echo', 4000);
    await waitForSkeleton((e) => e.type === 'skeleton.mark' && e.name === echo.mark, 6000);
    const clip = readWav(readFileSync(callerClip('hello'))).samples;
    // Raw L16 carries the samples unchanged both ways: the echo contains the clip exactly.
    expect(bestMatch(caller.heardAudio().subarray(before), clip).correlation).toBeGreaterThan(0.99);
  }, 12_000);

  it('0 asks for an agent: the platform gets a transfer request, answers ok, and the call ends as transferred', async () => {
    const caller = await call();
    await caller.waitFor('bot.audio.start');
    caller.dtmf('0');
    const request = await caller.waitFor('bot.transfer', { timeoutMs: 5000 });
    expect(request.data).toMatchObject({ target: 'agent', reason: 'caller pressed 0' });
    const closed = await caller.closed();
    expect(closed.by).toBe('bot');
    expect(await waitForSkeleton((e) => e.type === 'skeleton.transfer')).toMatchObject({ ok: true });
    expect((await waitForSkeleton((e) => e.type === 'skeleton.hangup')).reason).toBe('transfer');
    expect(sk!.engine.gateway.activeCalls()).toBe(0);
  }, 10_000);

  it('a refused transfer brings the caller back with "no agent is free"', async () => {
    const caller = await call({ transferAnswer: { ok: false, detail: 'queue closed' } });
    await caller.waitFor('bot.audio.start');
    caller.dtmf('0');
    expect(await waitForSkeleton((e) => e.type === 'skeleton.transfer', 5000)).toMatchObject({
      ok: false,
      code: 'TRANSFER_FAILED',
    });
    await waitForSkeleton(markOf('no-agent'), 4000);
    expect(caller.connected).toBe(true);
  }, 10_000);

  it('the caller hanging up ({"event":"hangup"}) ends the call on the server', async () => {
    const caller = await call();
    await caller.waitFor('bot.audio.start');
    expect(sk!.engine.gateway.activeCalls()).toBe(1);
    await caller.hangup();
    expect((await waitForSkeleton((e) => e.type === 'skeleton.hangup', 2000)).reason).toBe('caller');
    expect(sk!.engine.gateway.activeCalls()).toBe(0);
  }, 10_000);
});
