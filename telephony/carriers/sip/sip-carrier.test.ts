/**
 * The sip carrier against a real peer: sipp (Debian sip-tester) as the callee, reusing the SIP
 * edge's scenarios in fixtures/sipp (answer with RTP echo, reject with a status, no answer,
 * 183 early media then answer).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runAmd } from '../../../engine/amd/run-amd.ts';
import { readWav } from '../../../engine/audio/wav.ts';
import { requireBinary, sippScenario, sippTemplate } from '../../sip/testing/peers.ts';
import type { AnsweredResult } from '../carrier.ts';
import { originateRequest as request, type SippCallee, sippCallee } from './testing/sipp-callee.ts';

requireBinary('sipp', 'sip-tester');

let callee: SippCallee | undefined;
afterEach(async () => {
  await callee?.close();
  callee = undefined;
});
async function carrierTo(args: string[]) {
  callee = await sippCallee(args);
  return callee.carrier;
}

describe('sip carrier (sipp as the callee)', () => {
  it('answered: an outbound leg with the attempt id; the echoed voicemail greeting is a MACHINE to AMD', async () => {
    const carrier = await carrierTo(['-sn', 'uas', '-rtp_echo']);
    const req = request({ ringTimeoutMs: 5000 });
    const r = (await carrier.originate(req)) as AnsweredResult;
    expect(r.status).toBe('answered');
    expect(r.leg.info).toMatchObject({ transport: 'sip', direction: 'outbound' });
    expect(r.leg.info.parameters).toMatchObject({ attemptId: req.attemptId, campaignId: 'c1' });
    expect(callee!.registry.pendingCount()).toBe(0);
    const greeting = readWav(
      readFileSync(join(import.meta.dirname, '../../../fixtures/amd/set/machine-long-greeting.wav')),
    ).samples;
    r.leg.sendAudio({ samples: greeting, sampleRate: 8000, timestampMs: 0 });
    expect(await runAmd(r.leg)).toMatchObject({ result: 'MACHINE' });
    r.leg.hangup('done');
    await callee!.passed();
    expect(callee!.inbound).toEqual([]);
  }, 30_000);

  for (const [code, reason, disposition] of [
    ['486', 'Busy Here', 'busy'],
    ['404', 'Not Found', 'invalid'],
    ['603', 'Decline', 'declined'],
    ['503', 'Service Unavailable', 'congestion'],
  ] as const) {
    it(`${code} ${reason} -> ${disposition} with code sip:${code}`, async () => {
      const carrier = await carrierTo(['-sf', sippTemplate('uas-reject.template.xml', { code, reason })]);
      expect(await carrier.originate(request())).toMatchObject({
        status: 'unanswered',
        disposition,
        code: `sip:${code}`,
      });
      expect(callee!.ua.ports.inUse).toBe(0);
    }, 20_000);
  }

  it('no answer within ringTimeoutMs: CANCEL, 487 -> no-answer', async () => {
    const carrier = await carrierTo(['-sf', sippScenario('uas-no-answer.xml')]);
    const r = await carrier.originate(request({ ringTimeoutMs: 1000 }));
    expect(r).toMatchObject({ disposition: 'no-answer', code: 'sip:487' });
    expect(r.ringMs).toBeGreaterThanOrEqual(900);
    expect(callee!.ua.ports.inUse).toBe(0);
  }, 20_000);

  it('183 with SDP then 200: answered, early media reported', async () => {
    const carrier = await carrierTo(['-sf', sippScenario('uas-early-media.xml')]);
    const r = (await carrier.originate(request())) as AnsweredResult;
    expect(r).toMatchObject({ status: 'answered', early: { earlyMedia: true } });
    r.leg.hangup('done');
    await callee!.passed();
  }, 20_000);
});
