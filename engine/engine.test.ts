import { afterEach, describe, expect, it } from 'vitest';
import { mintToken } from '../telephony/auth/hmac-token.ts';
import type { CallLeg, HangupEvent, MarkEvent } from '../telephony/call-leg.ts';
import {
  counterValue,
  Peer,
  TEST_SECRET,
  testConfig,
  twilioMedia,
  twilioStart,
} from '../telephony/ws/testing/peer.ts';
import { mulawDecode, mulawEncode } from './audio/g711.ts';
import { type Engine, startEngine } from './engine.ts';

let engine: Engine | null = null;
afterEach(async () => {
  await engine?.close();
  engine = null;
});

function wsUrl(e: Engine, path: string): string {
  return `${e.url.replace('http', 'ws')}${path}?token=${mintToken(TEST_SECRET)}`;
}

describe('startEngine', () => {
  it('serves /healthz, /readyz and /metrics on the same port as the gateway', async () => {
    engine = await startEngine({ config: testConfig() });
    expect(engine.port).toBeGreaterThan(0);
    expect((await fetch(`${engine.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${engine.url}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${engine.url}/metrics`)).text();
    expect(metrics).toContain('voicebot_calls_active_count');
  });

  it('runs the walking-skeleton handler when none is given (greeting, then hang-up on #)', async () => {
    engine = await startEngine({ config: testConfig() });
    const peer = await new Peer(wsUrl(engine, '/twilio')).open();
    peer.send(twilioStart());
    await peer.until((r) => r.text.filter((m) => m.event === 'media').length >= 3);
    peer.send({ event: 'dtmf', streamSid: 'MZ0001', dtmf: { track: 'inbound_track', digit: '#' } });
    // The goodbye plays out and the bot hangs up once Twilio acknowledges its mark.
    const echoMarks = setInterval(() => {
      for (const m of peer.received.text.splice(0)) if (m.event === 'mark') peer.send(m);
    }, 20);
    const closed = await peer.closed;
    clearInterval(echoMarks);
    expect(closed.code).toBe(1000);
  });

  it('carries a Twilio call end to end: audio in, paced audio and marks out, dtmf, stop', async () => {
    const legs: CallLeg[] = [];
    const marks: MarkEvent[] = [];
    const hangups: HangupEvent[] = [];
    const heard: number[] = [];
    const digits: string[] = [];
    engine = await startEngine({
      config: testConfig(),
      handler: (leg) => {
        legs.push(leg);
        leg.on('audio', (f) => heard.push(f.samples.length));
        leg.on('dtmf', (d) => digits.push(d.digit));
        leg.on('mark', (m) => marks.push(m));
        leg.on('hangup', (h) => hangups.push(h));
        // 100 ms of a ramp, then a mark.
        const samples = new Int16Array(800).map((_, i) => (i - 400) * 40);
        leg.sendAudio({ samples, sampleRate: 8000, timestampMs: 0 });
        leg.mark('greeting');
      },
    });
    const peer = await new Peer(wsUrl(engine, '/twilio')).open();
    peer.send({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    peer.send(twilioStart('MZabc', 'CAabc'));
    const inbound = new Int16Array(160).fill(1000);
    peer.send(twilioMedia(mulawEncode(inbound), 'MZabc'));
    peer.send({ event: 'dtmf', streamSid: 'MZabc', dtmf: { track: 'inbound_track', digit: '7' } });

    await peer.until((r) => r.text.some((m) => m.event === 'mark'));
    const media = peer.events('media');
    expect(media).toHaveLength(5);
    for (const m of media) {
      expect(m.streamSid).toBe('MZabc');
      const bytes = Buffer.from((m.media as { payload: string }).payload, 'base64');
      expect(bytes.length).toBe(160);
    }
    // The ramp comes back through mu-law within G.711's quantisation error.
    const first = mulawDecode(Buffer.from((media[0]!.media as { payload: string }).payload, 'base64'));
    expect(Math.abs(first[10]! - (10 - 400) * 40)).toBeLessThan(600);
    // Mark after the frames it follows; paced: 5 frames take about 80 ms from first to last.
    const markIndex = peer.received.text.findIndex((m) => m.event === 'mark');
    expect(markIndex).toBe(5);
    const span = peer.received.times[4]! - peer.received.times[0]!;
    expect(span).toBeGreaterThan(60);
    expect(legs[0]!.info).toMatchObject({ transport: 'twilio', providerCallId: 'CAabc', sampleRate: 8000 });
    expect(legs[0]!.info.parameters).toEqual({ tenant: 'acme' });
    expect(heard).toEqual([160]);
    expect(digits).toEqual(['7']);
    expect(marks).toEqual([]);

    peer.send({ event: 'mark', streamSid: 'MZabc', mark: { name: 'greeting' } });
    await new Promise((r) => setTimeout(r, 50));
    expect(marks).toEqual([{ name: 'greeting', played: true }]);
    expect(engine.gateway.activeCalls()).toBe(1);

    peer.send({ event: 'stop', streamSid: 'MZabc', stop: { callSid: 'CAabc' } });
    expect((await peer.closed).code).toBe(1000);
    expect(hangups).toEqual([{ reason: 'caller', detail: 'stop' }]);
    expect(engine.gateway.activeCalls()).toBe(0);
    const reg = engine.metrics.registry;
    expect(await counterValue(reg, 'voicebot_media_frames_out_total', { transport: 'twilio' })).toBe(5);
    expect(await counterValue(reg, 'voicebot_media_frames_in_total', { transport: 'twilio' })).toBe(1);
    expect(await counterValue(reg, 'voicebot_calls_started_total', { transport: 'twilio' })).toBe(1);
  });

  it('shuts down gracefully: calls hang up with reason shutdown and sockets close with 1001', async () => {
    const hangups: HangupEvent[] = [];
    engine = await startEngine({
      config: testConfig(),
      handler: (leg) => {
        leg.on('hangup', (h) => hangups.push(h));
      },
    });
    const twilio = await new Peer(wsUrl(engine, '/twilio')).open();
    twilio.send(twilioStart());
    const raw = await new Peer(wsUrl(engine, '/raw'), { protocols: ['audio.jambonz.org'] }).open();
    raw.send({ sampleRate: 16000, callSid: 'abc' });
    const idle = await new Peer(wsUrl(engine, '/raw')).open(); // no metadata yet
    const deadline = Date.now() + 2000;
    while (engine.gateway.activeCalls() < 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    expect(engine.gateway.activeCalls()).toBe(2);

    await engine.close();
    engine = null;
    expect((await twilio.closed).code).toBe(1001);
    expect((await raw.closed).code).toBe(1001);
    expect((await idle.closed).code).toBe(1001);
    expect(raw.events('disconnect')).toEqual([{ type: 'disconnect', data: { reason: 'shutdown' } }]);
    expect(hangups.map((h) => h.reason)).toEqual(['shutdown', 'shutdown']);
  });
});
