/**
 * leaveVoicemail on legs answered by sim personas over the real gateway: the message starts
 * right after the machine's beep and the bot hangs up once it has played; a person who says
 * hello and stays silent gives no beep, so nothing is left; a bad script id is a clear error.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EspeakTts } from '../../../asr-tts/providers/espeak/espeak-tts.ts';
import type { CallLeg } from '../../../telephony/call-leg.ts';
import { loadPersonas } from '../../../telephony/carriers/sim/persona.ts';
import type { SimCarrier } from '../../../telephony/carriers/sim/sim-carrier.ts';
import { type SimEngine, startSimEngine } from '../../../telephony/carriers/sim/testing/sim-engine.ts';
import { isVoicebotError } from '../../errors.ts';
import { scriptLoader } from './session-runner.ts';
import { leaveVoicemail } from './voicemail.ts';

let sim: SimEngine;
let carrier: SimCarrier;
let n = 0;

beforeAll(async () => {
  sim = await startSimEngine({
    personas: loadPersonas(join(import.meta.dirname, '../../../fixtures/personas')),
    ringTimeScale: 0.01,
  });
  carrier = sim.carrier;
});

afterAll(async () => {
  await sim?.close();
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
