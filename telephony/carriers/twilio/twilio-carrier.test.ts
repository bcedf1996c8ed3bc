/**
 * The twilio carrier against a local stand-in for Twilio's API (fake-twilio-api.ts) that posts
 * signed status callbacks to the engine and opens a real Media Stream to the engine's /twilio.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAmd } from '../../../engine/amd/run-amd.ts';
import { readWav } from '../../../engine/audio/wav.ts';
import { type Engine, startEngine } from '../../../engine/engine.ts';
import type { RouteHandler } from '../../../engine/http/server.ts';
import { loopbackBase } from '../../../engine/session/testing/loopback-engine.ts';
import { twilioSignature } from '../../auth/twilio-signature.ts';
import type { AnsweredResult, OriginateRequest } from '../carrier.ts';
import { OutboundRegistry } from '../outbound-registry.ts';
import { type FakeBehaviour, FakeTwilioApi } from './testing/fake-twilio-api.ts';
import { TwilioCarrier } from './twilio-carrier.ts';

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'test-auth-token-0123456789';
const hello = readWav(
  readFileSync(join(import.meta.dirname, '../../../fixtures/amd/set/human-hello.wav')),
).samples;

const BEHAVIOUR: Record<string, FakeBehaviour> = {
  '+14155550101': { kind: 'answer', audio: hello },
  '+14155550102': { kind: 'busy' },
  '+14155550103': { kind: 'no-answer' },
  '+14155550104': { kind: 'failed', sipResponseCode: 404 },
  '+14155550105': { kind: 'failed', sipResponseCode: 503 },
};

let engine: Engine;
let api: FakeTwilioApi;
let carrier: TwilioCarrier;
let route: RouteHandler = async () => false;
let n = 0;

beforeAll(async () => {
  api = await new FakeTwilioApi({
    accountSid: ACCOUNT,
    authToken: TOKEN,
    behaviour: (to) => BEHAVIOUR[to] ?? { kind: 'ring' },
  }).start();
  const registry = new OutboundRegistry();
  const { config, log, metrics } = loopbackBase({ 'auth.mode': 'twilio', 'auth.twilioAuthToken': TOKEN });
  engine = await startEngine({
    config,
    log,
    metrics,
    handler: registry.wrap((leg) => leg.hangup('not expected')),
    routes: [(req, res) => route(req, res)],
  });
  carrier = new TwilioCarrier({
    apiBaseUrl: api.url,
    accountSid: ACCOUNT,
    authToken: TOKEN,
    streamUrl: `ws://127.0.0.1:${engine.port}/twilio`,
    statusCallbackUrl: `http://127.0.0.1:${engine.port}/twilio/status`,
    registry,
    settleMs: 3000,
  });
  route = carrier.statusRoute();
});

afterAll(async () => {
  await carrier?.close();
  await api?.close();
  await engine?.close();
});

const request = (to: string, extra: Partial<OriginateRequest> = {}): OriginateRequest => ({
  campaignId: 'c1',
  attemptId: `t${++n}`,
  to,
  from: '+14155550100',
  ringTimeoutMs: 20_000,
  amd: { mode: 'engine' },
  parameters: { script: 'reminder & co' },
  ...extra,
});

describe('twilio carrier', () => {
  it('creates the call with the REST shape and gets the Media Stream leg on /twilio; AMD hears a human', async () => {
    const req = request('+14155550101', { amd: { mode: 'provider' } });
    const r = (await carrier.originate(req)) as AnsweredResult;
    expect(r.status).toBe('answered');
    expect(r.providerCallId).toMatch(/^CA[0-9a-f]{32}$/);
    expect(r.leg.info).toMatchObject({
      transport: 'twilio',
      direction: 'outbound',
      providerCallId: r.providerCallId,
    });
    expect(r.leg.info.parameters).toMatchObject({
      attemptId: req.attemptId,
      campaignId: 'c1',
      script: 'reminder & co',
    });
    expect(r.early.providerAmd).toBe('unknown');
    const form = api.calls.at(-1)!.form;
    expect(form.get('To')).toBe('+14155550101');
    expect(form.get('From')).toBe('+14155550100');
    expect(form.get('Timeout')).toBe('20');
    expect(form.get('MachineDetection')).toBe('Enable');
    expect(form.getAll('StatusCallbackEvent')).toEqual(['initiated', 'ringing', 'answered', 'completed']);
    expect(form.get('Twiml')).toContain(`<Connect><Stream url="ws://127.0.0.1:${engine.port}/twilio">`);
    expect(form.get('Twiml')).toContain('<Parameter name="script" value="reminder &amp; co"/>');
    expect(await runAmd(r.leg)).toMatchObject({ result: 'HUMAN' });
    r.leg.hangup('done');
  }, 20_000);

  it('status callbacks decide unanswered calls: busy, no-answer, failed with SIP 404 / 503', async () => {
    expect(await carrier.originate(request('+14155550102'))).toMatchObject({
      disposition: 'busy',
      code: 'twilio:busy',
    });
    expect(await carrier.originate(request('+14155550103'))).toMatchObject({
      disposition: 'no-answer',
      code: 'twilio:no-answer',
    });
    expect(await carrier.originate(request('+14155550104'))).toMatchObject({
      disposition: 'invalid',
      code: 'sip:404',
    });
    expect(await carrier.originate(request('+14155550105'))).toMatchObject({
      disposition: 'congestion',
      code: 'sip:503',
    });
  });

  it('aborting a ringing call cancels it at Twilio (Status=canceled)', async () => {
    const ac = new AbortController();
    const p = carrier.originate(request('+14155550199', { signal: ac.signal }));
    await expect.poll(() => api.calls.at(-1)?.statuses.includes('ringing'), { timeout: 3000 }).toBe(true);
    ac.abort();
    expect(await p).toMatchObject({ disposition: 'no-answer', code: 'canceled' });
    await expect.poll(() => api.calls.at(-1)?.statuses.at(-1)).toBe('canceled');
  });

  it('wrong credentials: Twilio answers 401 and the attempt fails with its code', async () => {
    const bad = new TwilioCarrier({
      apiBaseUrl: api.url,
      accountSid: ACCOUNT,
      authToken: 'wrong',
      streamUrl: 'ws://127.0.0.1:1/twilio',
      statusCallbackUrl: 'http://127.0.0.1:1/twilio/status',
      registry: new OutboundRegistry(),
    });
    expect(await bad.originate(request('+14155550102'))).toMatchObject({
      disposition: 'failed',
      code: 'twilio:20003',
    });
  });

  it('the status route refuses unsigned and badly signed callbacks with 403', async () => {
    const url = `http://127.0.0.1:${engine.port}/twilio/status`;
    const params = { CallSid: 'CA00', CallStatus: 'busy' };
    const post = (sig?: string) =>
      fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(sig ? { 'x-twilio-signature': sig } : {}),
        },
        body: new URLSearchParams(params).toString(),
      });
    expect((await post()).status).toBe(403);
    expect((await post(twilioSignature('other-token', url, params))).status).toBe(403);
    expect((await post(twilioSignature(TOKEN, url, { ...params, CallStatus: 'completed' }))).status).toBe(
      403,
    );
    expect((await post(twilioSignature(TOKEN, url, params))).status).toBe(204);
  });
});
