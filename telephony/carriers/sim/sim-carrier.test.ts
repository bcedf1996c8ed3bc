/**
 * The sim carrier against a real engine over loopback: unanswered outcomes with their codes, and
 * answered calls whose audio (espeak-ng greeting + beep, a human's hello and replies) reaches the
 * engine's leg through the WS gateway, where AMD and the beep detector run on it.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAmd, waitForBeep } from '../../../engine/amd/run-amd.ts';
import type { AudioFrame } from '../../../engine/audio/frame.ts';
import { type Engine, startEngine } from '../../../engine/engine.ts';
import { isVoicebotError } from '../../../engine/errors.ts';
import { loopbackBase } from '../../../engine/session/testing/loopback-engine.ts';
import { SimCaller } from '../../../fixtures/sim-caller/sim-caller.ts';
import type { CallLeg } from '../../call-leg.ts';
import type { AnsweredResult, OriginateRequest } from '../carrier.ts';
import { OutboundRegistry } from '../outbound-registry.ts';
import { loadPersonas } from './persona.ts';
import { SimCarrier } from './sim-carrier.ts';

const personas = loadPersonas(join(import.meta.dirname, '../../../fixtures/personas'));
let engine: Engine;
let token: (ttlS?: number) => string;
let carrier: SimCarrier;
const inbound: CallLeg[] = [];
let n = 0;

beforeAll(async () => {
  const base = loopbackBase();
  token = base.token;
  const registry = new OutboundRegistry();
  engine = await startEngine({
    config: base.config,
    log: base.log,
    metrics: base.metrics,
    handler: registry.wrap((leg) => {
      inbound.push(leg);
      leg.hangup('not expected');
    }),
  });
  carrier = new SimCarrier({
    engineUrl: engine.url,
    registry,
    personas,
    seed: 7,
    ringTimeScale: 0.01,
    token: () => token(60),
  });
});

afterAll(async () => {
  await carrier?.close();
  await engine?.close();
});

const request = (persona: string, extra: Partial<OriginateRequest> = {}): OriginateRequest => ({
  campaignId: 'c1',
  attemptId: `a${++n}`,
  to: '+14155550123',
  from: '+14155550100',
  ringTimeoutMs: 30_000,
  amd: { mode: 'engine' },
  parameters: { persona },
  ...extra,
});

const voiced = (ms: number): AudioFrame => ({
  samples: Int16Array.from({ length: ms * 8 }, (_, i) => (i % 40 < 20 ? 3000 : -3000)),
  sampleRate: 8000,
  timestampMs: 0,
});

describe('sim carrier: unanswered calls', () => {
  it('busy -> busy sip:486, invalid -> invalid sip:404, decliner -> declined sip:603', async () => {
    expect(await carrier.originate(request('busy-line'))).toMatchObject({
      status: 'unanswered',
      disposition: 'busy',
      code: 'sip:486',
    });
    expect(await carrier.originate(request('invalid-number'))).toMatchObject({
      disposition: 'invalid',
      code: 'sip:404',
    });
    expect(await carrier.originate(request('decliner'))).toMatchObject({
      disposition: 'declined',
      code: 'sip:603',
    });
  });

  it('rings out at ringTimeoutMs (scaled) -> no-answer sip:487', async () => {
    const r = await carrier.originate(request('ring-out', { ringTimeoutMs: 20_000 }));
    expect(r).toMatchObject({ disposition: 'no-answer', code: 'sip:487' });
    expect(r.ringMs).toBeGreaterThanOrEqual(190);
  });

  it('a persona that would answer after the ring timeout is a no-answer too', async () => {
    expect(await carrier.originate(request('voicemail', { ringTimeoutMs: 1000 }))).toMatchObject({
      disposition: 'no-answer',
    });
  });

  it('aborting while it rings -> no-answer canceled', async () => {
    const ac = new AbortController();
    const p = carrier.originate(request('ring-out', { signal: ac.signal }));
    setTimeout(() => ac.abort(), 30);
    expect(await p).toMatchObject({ disposition: 'no-answer', code: 'canceled' });
  });

  it('refuses bad requests with CARRIER_BAD_REQUEST and names the field', async () => {
    for (const [bad, field] of [
      [{ to: '4155550123' }, 'to'],
      [{ from: '+1' }, 'from'],
      [{ ringTimeoutMs: 0 }, 'ringTimeoutMs'],
      [{ parameters: { persona: 'nobody' } }, 'persona'],
    ] as const) {
      const err = await carrier.originate(request('busy-line', bad)).catch((e: unknown) => e);
      expect(isVoicebotError(err) && err.code, field).toBe('CARRIER_BAD_REQUEST');
      expect((err as Error).message).toContain(field);
    }
  });
});

describe('sim carrier: answered calls carry real audio through the gateway', () => {
  it('voicemail: the leg is outbound with the attempt id; AMD says MACHINE, then the beep is found', async () => {
    const req = request('voicemail');
    const r = (await carrier.originate(req)) as AnsweredResult;
    expect(r.status).toBe('answered');
    expect(r.leg.info).toMatchObject({ direction: 'outbound', transport: 'raw', callId: expect.any(String) });
    expect(r.leg.info.parameters).toMatchObject({ attemptId: req.attemptId, campaignId: 'c1' });
    const beep = waitForBeep(r.leg, 15_000);
    const amd = await runAmd(r.leg);
    expect(amd).toMatchObject({ result: 'MACHINE' });
    expect(amd.atMs).toBeLessThan(3000);
    const b = await beep;
    expect(b).not.toBeNull();
    expect(Math.abs(b!.frequencyHz - 850)).toBeLessThanOrEqual(20);
    // the voicemail drop, then the bot hangs up; the callee's side ends with it
    r.leg.sendAudio(voiced(300));
    r.leg.hangup('voicemail left');
    await expect.poll(() => carrier.activeCalls(), { timeout: 5000 }).toBe(0);
  }, 30_000);

  it('human: AMD says HUMAN; the persona answers the first prompt by voice and the second with a key', async () => {
    const r = (await carrier.originate(request('human-yes'))) as AnsweredResult;
    expect(r.status).toBe('answered');
    const amd = await runAmd(r.leg);
    expect(amd).toMatchObject({ result: 'HUMAN', reason: 'HUMAN' });
    // prompt 1: the callee speaks once the bot has been quiet for 700 ms
    let loudMs = 0;
    r.leg.on('audio', (f) => {
      let sum = 0;
      for (const s of f.samples) sum += Math.abs(s);
      if (sum / f.samples.length > 256) loudMs += 20;
    });
    r.leg.sendAudio(voiced(600));
    await expect.poll(() => loudMs, { timeout: 8000 }).toBeGreaterThan(200);
    // prompt 2: a key
    const digit = new Promise<string>((resolve) => r.leg.once('dtmf', (e) => resolve(e.digit)));
    r.leg.sendAudio(voiced(600));
    expect(await digit).toBe('1');
    r.leg.hangup('done');
    await expect.poll(() => carrier.activeCalls(), { timeout: 5000 }).toBe(0);
  }, 30_000);

  it('no outbound leg reached the inbound handler', () => {
    expect(inbound).toEqual([]);
  });

  it('an outbound stream for an attempt nobody waits for goes to the inbound handler', async () => {
    const caller = new SimCaller({
      url: engine.url,
      protocol: 'raw',
      token: token(60),
      customParameters: { direction: 'outbound', attemptId: 'nobody-waits' },
    });
    await caller.connect();
    await expect.poll(() => inbound.length, { timeout: 5000 }).toBe(1);
    expect(inbound[0]!.info.parameters.attemptId).toBe('nobody-waits');
    await caller.closed();
    inbound.length = 0;
  });
});

describe('sim carrier: close', () => {
  it('ends ringing calls as no-answer closed, then refuses new calls with CARRIER_CLOSED', async () => {
    const c = new SimCarrier({ engineUrl: engine.url, registry: new OutboundRegistry(), personas });
    const ringing = c.originate(request('ring-out'));
    await new Promise((r) => setTimeout(r, 20));
    await c.close();
    expect(await ringing).toMatchObject({ disposition: 'no-answer', code: 'closed' });
    const err = await c.originate(request('busy-line')).catch((e: unknown) => e);
    expect(isVoicebotError(err) && err.code).toBe('CARRIER_CLOSED');
  });
});
