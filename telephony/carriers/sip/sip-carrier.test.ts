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
import {
  freeUdpPort,
  requireBinary,
  sippScenario,
  sippTemplate,
  startSipp,
} from '../../sip/testing/peers.ts';
import { SipUserAgent } from '../../sip/user-agent.ts';
import type { AnsweredResult, OriginateRequest } from '../carrier.ts';
import { OutboundRegistry } from '../outbound-registry.ts';
import { SipCarrier } from './sip-carrier.ts';

requireBinary('sipp', 'sip-tester');

let ua: SipUserAgent | undefined;
let peer: ReturnType<typeof startSipp> | undefined;
let n = 0;

afterEach(async () => {
  peer?.stop();
  peer = undefined;
  await ua?.close();
  ua = undefined;
});

async function carrierTo(scenario: string[], registry?: OutboundRegistry) {
  ua = await SipUserAgent.start({
    port: 0,
    timers: { t1Ms: 100 },
    ...(registry ? { onCall: registry.wrap((leg) => leg.hangup('not expected')) } : {}),
  });
  const port = await freeUdpPort();
  peer = startSipp(
    [...scenario, '-i', '127.0.0.1', '-p', String(port), '-mp', String(await freeUdpPort()), '-m', '1'],
    {
      timeoutMs: 20_000,
    },
  );
  await new Promise((r) => setTimeout(r, 400)); // let sipp bind
  return new SipCarrier({ ua, target: `sip:{to}@127.0.0.1:${port}`, ...(registry ? { registry } : {}) });
}

const request = (extra: Partial<OriginateRequest> = {}): OriginateRequest => ({
  campaignId: 'c1',
  attemptId: `s${++n}`,
  to: '+15550002222',
  from: '+15550001111',
  ringTimeoutMs: 5000,
  amd: { mode: 'engine' },
  ...extra,
});

describe('sip carrier (sipp as the callee)', () => {
  it('answered: an outbound leg with the attempt id; the echoed voicemail greeting is a MACHINE to AMD', async () => {
    const registry = new OutboundRegistry();
    const carrier = await carrierTo(['-sn', 'uas', '-rtp_echo'], registry);
    const req = request();
    const r = (await carrier.originate(req)) as AnsweredResult;
    expect(r.status).toBe('answered');
    expect(r.leg.info).toMatchObject({ transport: 'sip', direction: 'outbound' });
    expect(r.leg.info.parameters).toMatchObject({ attemptId: req.attemptId, campaignId: 'c1' });
    expect(registry.pendingCount()).toBe(0);
    const greeting = readWav(
      readFileSync(join(import.meta.dirname, '../../../fixtures/amd/set/machine-long-greeting.wav')),
    ).samples;
    r.leg.sendAudio({ samples: greeting, sampleRate: 8000, timestampMs: 0 });
    expect(await runAmd(r.leg)).toMatchObject({ result: 'MACHINE' });
    r.leg.hangup('done');
    expect((await peer!.done).code).toBe(0);
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
    }, 20_000);
  }

  it('no answer within ringTimeoutMs: CANCEL, 487 -> no-answer', async () => {
    const carrier = await carrierTo(['-sf', sippScenario('uas-no-answer.xml')]);
    const r = await carrier.originate(request({ ringTimeoutMs: 1000 }));
    expect(r).toMatchObject({ disposition: 'no-answer', code: 'sip:487' });
    expect(r.ringMs).toBeGreaterThanOrEqual(900);
  }, 20_000);

  it('183 with SDP then 200: answered, early media reported', async () => {
    const carrier = await carrierTo(['-sf', sippScenario('uas-early-media.xml')]);
    const r = (await carrier.originate(request())) as AnsweredResult;
    expect(r).toMatchObject({ status: 'answered', early: { earlyMedia: true } });
    r.leg.hangup('done');
  }, 20_000);
});
