/**
 * leaveVoicemail on legs answered by sim personas over the real gateway: the message starts
 * right after the machine's beep and the bot hangs up once it has played; a person who says
 * hello and stays silent gives no beep, so nothing is left; a bad script id is a clear error.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EspeakTts } from '../../../asr-tts/providers/espeak/espeak-tts.ts';
import { mintToken } from '../../../telephony/auth/hmac-token.ts';
import type { CallLeg } from '../../../telephony/call-leg.ts';
import { OutboundRegistry } from '../../../telephony/carriers/outbound-registry.ts';
import { loadPersonas } from '../../../telephony/carriers/sim/persona.ts';
import { SimCarrier } from '../../../telephony/carriers/sim/sim-carrier.ts';
import { loadConfig } from '../../config/load.ts';
import { type Engine, startEngine } from '../../engine.ts';
import { isVoicebotError } from '../../errors.ts';
import { scriptLoader } from './session-runner.ts';
import { leaveVoicemail } from './voicemail.ts';

let engine: Engine;
let carrier: SimCarrier;
let n = 0;

beforeAll(async () => {
  const secret = randomBytes(24).toString('base64url');
  const config = loadConfig({
    env: {},
    overrides: {
      host: '127.0.0.1',
      port: 0,
      logLevel: 'silent',
      'auth.mode': 'token',
      'auth.tokenSecret': secret,
    },
  });
  const registry = new OutboundRegistry();
  engine = await startEngine({ config, handler: registry.wrap((leg) => leg.hangup('not expected')) });
  carrier = new SimCarrier({
    engineUrl: engine.url,
    registry,
    personas: loadPersonas(join(import.meta.dirname, '../../../fixtures/personas')),
    ringTimeScale: 0.01,
    token: () => mintToken(secret, { ttlS: 60 }),
  });
});

afterAll(async () => {
  await carrier?.close();
  await engine?.close();
});

async function answered(persona: string): Promise<CallLeg> {
  const r = await carrier.originate({
    campaignId: 'c1',
    attemptId: `vm${++n}`,
    to: '+14155550123',
    from: '+14155550100',
    ringTimeoutMs: 30_000,
    amd: { mode: 'engine' },
    parameters: { persona },
  });
  if (r.status !== 'answered') throw new Error(`not answered: ${r.disposition}`);
  return r.leg;
}

describe('leaveVoicemail', () => {
  it('speaks the message after the beep, then hangs up', async () => {
    const leg = await answered('voicemail');
    const hangups: string[] = [];
    leg.on('hangup', (e) => hangups.push(e.detail ?? e.reason));
    const r = await leaveVoicemail(leg, 'Hello, this is Sunshine Clinic. Please call us back.', {
      tts: new EspeakTts(),
      beepTimeoutMs: 20_000,
    });
    expect(r.left).toBe(true);
    if (!r.left) return;
    expect(r.beep.frequencyHz).toBeGreaterThan(800);
    expect(r.beep.frequencyHz).toBeLessThan(900); // the persona's 850 Hz tone
    expect(r.beep.startMs).toBeGreaterThan(4000); // after the spoken greeting
    expect(r.startedAfterBeepMs).toBeLessThan(1500);
    expect(r.messageMs).toBeGreaterThan(1500);
    expect(leg.active).toBe(false);
    expect(hangups).toEqual(['voicemail-left']);
  }, 30_000);

  it('leaves nothing when no beep comes', async () => {
    const leg = await answered('hello-silence');
    const r = await leaveVoicemail(leg, 'Hello.', { tts: new EspeakTts(), beepTimeoutMs: 2500 });
    expect(r).toEqual({ left: false, reason: 'no-beep' });
    leg.hangup('test done');
  }, 15_000);
});

describe('scriptLoader', () => {
  it('compiles a script once and names the problem for a bad script id', () => {
    const load = scriptLoader(join(import.meta.dirname, '../../../dialogs/outbound'));
    const spec = load('appointment-reminder');
    expect(spec).toMatchObject({ name: 'appointment-reminder', language: 'en-US' });
    expect(load('appointment-reminder')).toBe(spec);
    for (const [id, text] of [
      ['no-such-script', 'cannot read'],
      ['../secrets', 'is not a script name'],
    ] as const) {
      const err = (() => {
        try {
          load(id);
        } catch (e) {
          return e;
        }
      })();
      expect(isVoicebotError(err) && err.code).toBe('CAMPAIGN_INVALID');
      expect((err as Error).message).toContain(text);
    }
  });
});
