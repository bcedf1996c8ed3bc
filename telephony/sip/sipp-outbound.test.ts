import { afterEach, describe, expect, it } from 'vitest';
import { Metrics } from '../../engine/metrics/metrics.ts';
import {
  analyse,
  freeUdpPort,
  requireBinary,
  sippScenario,
  sippTemplate,
  startSipp,
  tone,
} from './testing/peers.ts';
import { placeCall } from './uac.ts';
import { SipUserAgent } from './user-agent.ts';

// Real peer: sipp (Debian sip-tester) answers voicebot's outbound INVITEs over loopback.
requireBinary('sipp', 'sip-tester');

let ua: SipUserAgent;
let peer: ReturnType<typeof startSipp> | undefined;

afterEach(async () => {
  peer?.stop();
  peer = undefined;
  await ua?.close();
});

async function uas(scenario: string[]) {
  const metrics = new Metrics();
  ua = await SipUserAgent.start({ port: 0, metrics, timers: { t1Ms: 100 } });
  const port = await freeUdpPort();
  peer = startSipp(
    [...scenario, '-i', '127.0.0.1', '-p', String(port), '-mp', String(await freeUdpPort()), '-m', '1'],
    {
      timeoutMs: 15_000,
    },
  );
  await new Promise((r) => setTimeout(r, 400)); // let sipp bind
  return { port, metrics, target: `sip:+15550002222@127.0.0.1:${port}` };
}

describe('outbound calls to sipp', () => {
  it('answered by sipp uas: audio both ways (sipp echoes our tone), then our BYE', async () => {
    const { target } = await uas(['-sn', 'uas', '-rtp_echo']);
    const result = await placeCall(ua, { to: target, ringTimeoutMs: 5000 });
    expect(result.disposition).toBe('answered');
    const leg = result.leg!;
    const heard: Int16Array[] = [];
    leg.on('audio', (f) => heard.push(f.samples));
    leg.sendAudio({ samples: tone(440, 800), sampleRate: 8000, timestampMs: 0 });
    await new Promise((r) => leg.once('drained', () => r(undefined)));
    await new Promise((r) => setTimeout(r, 200));
    leg.hangup('done');
    const run = await peer!.done;
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const echoed = heard.filter((f) => {
      const a = analyse(f);
      return a.level > 3000 && Math.abs(a.frequencyHz - 440) < 60;
    });
    expect(echoed.length).toBeGreaterThanOrEqual(25);
    expect(ua.ports.inUse).toBe(0);
  });

  const verify = '<verifyauth assign_to="authvalid" username="bot" password="secret"/>';
  const proxyCheck =
    '<ereg regexp="Digest username=.bot.*response=" search_in="hdr" header="Proxy-Authorization:" check_it="true" assign_to="authvalid"/>';
  const authScenario = (code: '401' | '407', check = code === '401' ? verify : proxyCheck) =>
    sippTemplate('uas-auth.template.xml', {
      code,
      hdr: code === '401' ? 'WWW-Authenticate' : 'Proxy-Authenticate',
      check,
      test: code === '401' ? 'test="authvalid" ' : '',
    });

  for (const code of ['401', '407'] as const) {
    it(`answers a ${code} digest challenge and connects`, async () => {
      const { target } = await uas(['-sf', authScenario(code)]);
      const result = await placeCall(ua, {
        to: target,
        credentials: { username: 'bot', password: 'secret' },
      });
      expect(result.disposition).toBe('answered');
      result.leg!.hangup();
      const run = await peer!.done;
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(ua.ports.inUse).toBe(0);
    });
  }

  it("ua.call() uses the agent's configured credentials", async () => {
    const { target } = await uas(['-sf', authScenario('401')]);
    await ua.close();
    ua = await SipUserAgent.start({ port: 0, username: 'bot', password: 'secret', ringTimeoutMs: 5000 });
    const result = await ua.call({ to: target });
    expect(result.disposition).toBe('answered');
    result.leg!.hangup();
    expect((await peer!.done).code).toBe(0);
    expect(ua.ports.inUse).toBe(0);
  });

  it('a wrong password ends as declined (403), port released', async () => {
    const { target } = await uas(['-sf', authScenario('401')]);
    const result = await placeCall(ua, { to: target, credentials: { username: 'bot', password: 'wrong' } });
    expect(result).toMatchObject({ disposition: 'declined', status: 403 });
    expect((await peer!.done).code).toBe(0);
    expect(ua.ports.inUse).toBe(0);
  });

  for (const [code, reason, disposition] of [
    ['486', 'Busy Here', 'busy'],
    ['480', 'Temporarily Unavailable', 'no-answer'],
    ['404', 'Not Found', 'invalid'],
    ['603', 'Decline', 'declined'],
    ['503', 'Service Unavailable', 'congestion'],
  ] as const) {
    it(`${code} ${reason} -> ${disposition}`, async () => {
      const { target, metrics } = await uas([
        '-sf',
        sippTemplate('uas-reject.template.xml', { code, reason }),
      ]);
      const result = await placeCall(ua, { to: target });
      expect(result).toMatchObject({ disposition, status: Number(code) });
      const run = await peer!.done;
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(ua.ports.inUse).toBe(0);
      expect(await metrics.registry.getSingleMetricAsString('voicebot_sip_outbound_results_total')).toContain(
        `disposition="${disposition}"} 1`,
      );
    });
  }

  it('no answer: CANCEL at the ring timeout, 487 -> no-answer', async () => {
    const { target } = await uas(['-sf', sippScenario('uas-no-answer.xml')]);
    const progress: number[] = [];
    const started = Date.now();
    const result = await placeCall(ua, {
      to: target,
      ringTimeoutMs: 700,
      onProgress: (s) => progress.push(s),
    });
    expect(result).toMatchObject({ disposition: 'no-answer', status: 487 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(650);
    expect(progress).toEqual([180]);
    const run = await peer!.done;
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(ua.ports.inUse).toBe(0);
  });

  it('183 with SDP is reported as early media, then the call is answered', async () => {
    const { target } = await uas(['-sf', sippScenario('uas-early-media.xml')]);
    const progress: [number, boolean][] = [];
    const result = await placeCall(ua, { to: target, onProgress: (s, early) => progress.push([s, early]) });
    expect(progress).toEqual([[183, true]]);
    expect(result).toMatchObject({ disposition: 'answered', earlyMedia: true });
    result.leg!.hangup();
    const run = await peer!.done;
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(ua.ports.inUse).toBe(0);
  });

  it('nobody listening: Timer B ends the attempt as congestion (T1 shrunk to 20 ms)', async () => {
    ua = await SipUserAgent.start({ port: 0, timers: { t1Ms: 20 } });
    const port = await freeUdpPort();
    const result = await placeCall(ua, { to: `sip:x@127.0.0.1:${port}` });
    expect(result).toMatchObject({ disposition: 'congestion', status: 0 });
    expect(ua.ports.inUse).toBe(0);
  });

  it('refuses a target it cannot route with SIP_BAD_TARGET', async () => {
    ua = await SipUserAgent.start({ port: 0 });
    await expect(placeCall(ua, { to: 'sip:someone@example.invalid' })).rejects.toMatchObject({
      code: 'SIP_BAD_TARGET',
    });
    expect(ua.ports.inUse).toBe(0);
  });
});
