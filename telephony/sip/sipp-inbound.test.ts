import { rmSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Metrics } from '../../engine/metrics/metrics.ts';
import type { CallLeg, DtmfEvent, HangupEvent } from '../call-leg.ts';
import { analyse, requireBinary, runSipp, sippScenario, sippWorkDir, tone } from './testing/peers.ts';
import { SipUserAgent } from './user-agent.ts';

// Real peer: sipp (Debian sip-tester) calls voicebot over loopback.
requireBinary('sipp', 'sip-tester');
requireBinary('espeak-ng', 'espeak-ng');

let dir: string;
let ua: SipUserAgent;
let metrics: Metrics;

beforeAll(() => {
  dir = sippWorkDir();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await ua?.close();
});

async function startUa(options: Parameters<typeof SipUserAgent.start>[0] = {}) {
  metrics = new Metrics();
  ua = await SipUserAgent.start({ port: 0, metrics, ...options });
  return ua;
}

function sipp(scenario: string, extra: string[] = []) {
  return runSipp(
    [
      '-sf',
      sippScenario(scenario),
      `127.0.0.1:${ua.endpoint.port}`,
      '-i',
      '127.0.0.1',
      '-p',
      '0',
      '-mp',
      '0',
      '-m',
      '1',
      ...extra,
    ],
    { cwd: dir, timeoutMs: 15_000 },
  );
}

interface Recorded {
  leg: CallLeg;
  audio: Int16Array[];
  digits: DtmfEvent[];
  hangup: Promise<HangupEvent>;
}

function record(onLeg?: (leg: CallLeg, rec: Recorded) => void): Promise<Recorded> {
  return new Promise((resolve) => {
    ua.onCall = (leg) => {
      const rec: Recorded = {
        leg,
        audio: [],
        digits: [],
        hangup: new Promise((r) => leg.once('hangup', r)),
      };
      leg.on('audio', (f) => rec.audio.push(f.samples));
      leg.on('dtmf', (d) => rec.digits.push(d));
      onLeg?.(leg, rec);
      resolve(rec);
    };
  });
}

function concat(chunks: Int16Array[]): Int16Array {
  const out = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

describe('inbound calls from sipp', () => {
  it('receives espeak-ng speech over RTP and each RFC 4733 digit exactly once; caller BYE ends the leg', async () => {
    await startUa();
    const call = record();
    const run = await sipp('uac-media.xml');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const rec = await call;
    expect(await rec.hangup).toEqual({ reason: 'caller', detail: undefined });
    expect(rec.digits.map((d) => d.digit)).toEqual(['1', '#']);
    expect(rec.digits.every((d) => d.source === 'rfc4733')).toBe(true);
    // 20 ms frames; the espeak-ng clip is about 3 s long.
    expect(rec.audio.every((f) => f.length === 160)).toBe(true);
    const speech = concat(rec.audio);
    expect(speech.length / 8000).toBeGreaterThan(2.5);
    expect(analyse(speech).level).toBeGreaterThan(500);
    expect(ua.ports.inUse).toBe(0);
    expect(ua.dialogs.size).toBe(0);
  });

  it("plays the bot's audio to the caller (sipp echoes it back: a 440 Hz tone returns)", async () => {
    await startUa();
    const call = record((leg) => {
      leg.on('dtmf', (d) => {
        if (d.digit === '1') {
          leg.sendAudio({ samples: tone(440, 600), sampleRate: 8000, timestampMs: 0 });
          leg.mark('tone-done');
        }
      });
    });
    const marks: { name: string; played: boolean }[] = [];
    void call.then((rec) => rec.leg.on('mark', (m) => marks.push(m)));
    const run = await sipp('uac-media.xml', ['-rtp_echo']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const rec = await call;
    await rec.hangup;
    // Frames that came back after the digit carry our tone: find a run of them at ~440 Hz.
    const echoed = rec.audio.filter((f) => {
      const a = analyse(f);
      return a.level > 3000 && Math.abs(a.frequencyHz - 440) < 60;
    });
    expect(echoed.length).toBeGreaterThanOrEqual(15);
    expect(marks).toEqual([{ name: 'tone-done', played: true }]);
    expect(ua.ports.inUse).toBe(0);
  });

  it('the bot hangs up: BYE goes to sipp and the leg reports reason bot', async () => {
    await startUa();
    const call = record((leg) => setTimeout(() => leg.hangup('goodbye said'), 300));
    const run = await sipp('uac-bot-hangs-up.xml');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(await (await call).hangup).toEqual({ reason: 'bot', detail: 'goodbye said' });
    expect(ua.ports.inUse).toBe(0);
  });

  it('CANCEL before answer: 200 to the CANCEL, 487 to the INVITE, no leg, port released', async () => {
    await startUa({ ringMs: 3000 });
    let legs = 0;
    ua.onCall = () => {
      legs++;
    };
    const run = await sipp('uac-cancel.xml');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(legs).toBe(0);
    expect(ua.ports.inUse).toBe(0);
    expect(await metrics.registry.getSingleMetricAsString('voicebot_sip_responses_sent_total')).toMatch(
      /status="487"\} 1/,
    );
  });

  it('OPTIONS gets 200 with Allow; an unknown method gets 405 with Allow', async () => {
    await startUa();
    expect((await sipp('uac-options.xml')).code).toBe(0);
    const run = await sipp('uac-unknown-method.xml');
    expect(run.code, run.stdout + run.stderr).toBe(0);
  });

  it('re-INVITE hold (sendonly is answered recvonly) and unhold (sendrecv)', async () => {
    await startUa();
    const call = record();
    const run = await sipp('uac-hold.xml');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect((await (await call).hangup).reason).toBe('caller');
    expect(ua.ports.inUse).toBe(0);
  });

  it('no common codec and unparsable SDP get 488, count as rejected, and leak no port', async () => {
    await startUa();
    expect((await sipp('uac-no-codec.xml')).code).toBe(0);
    expect((await sipp('uac-bad-sdp.xml')).code).toBe(0);
    const rejected = await metrics.registry.getSingleMetricAsString('voicebot_sip_rejected_invites_total');
    expect(rejected).toMatch(/reason="codec"\} 1/);
    expect(ua.ports.inUse).toBe(0);
  });
});
