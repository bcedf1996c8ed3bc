import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { Metrics } from '../../engine/metrics/metrics.ts';
import type { CallLeg } from '../call-leg.ts';
import { serializeRtp } from '../rtp/packet.ts';
import { tagOf } from './header-values.ts';
import type { SipResponse } from './message.ts';
import { offer, RawPeer, rawRequest } from './testing/raw-peer.ts';
import { SipUserAgent } from './user-agent.ts';

let ua: SipUserAgent;
let peer: RawPeer;
let metrics: Metrics;
const sockets: Socket[] = [];

afterEach(async () => {
  await ua?.close();
  await peer?.close();
  for (const s of sockets.splice(0)) s.close();
});

async function setup(options: Parameters<typeof SipUserAgent.start>[0] = {}) {
  metrics = new Metrics();
  ua = await SipUserAgent.start({ port: 0, metrics, ...options });
  peer = await RawPeer.open();
}

const isResponse = (status: number) => (m: { kind: string }) =>
  m.kind === 'response' && (m as SipResponse).status === status;

async function udp(): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  sockets.push(s);
  return s;
}

async function metric(name: string): Promise<string> {
  return metrics.registry.getSingleMetricAsString(name);
}

describe('bad SIP input is answered or dropped, counted, and never crashes', () => {
  it('garbage and requests without the headers a response needs are dropped; the UA keeps serving', async () => {
    await setup();
    peer.send('hello there', ua.endpoint.port);
    peer.send(Buffer.from([0, 1, 2, 3, 255, 254, 10, 13, 10, 13]), ua.endpoint.port);
    peer.send(
      'INVITE sip:bot@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKx\r\n\r\n',
      ua.endpoint.port,
    );
    peer.send(rawRequest(peer.port, ua.endpoint.port, { method: 'OPTIONS' }), ua.endpoint.port);
    await peer.next(isResponse(200));
    expect(peer.received).toHaveLength(0);
    expect(await metric('voicebot_sip_bad_messages_total')).toMatch(/reason="malformed"\} 3/);
  });

  it('wrong or bad Content-Length -> 400 with a Warning that says what is wrong', async () => {
    await setup();
    peer.send(
      rawRequest(peer.port, ua.endpoint.port, { method: 'OPTIONS', body: 'abc', contentLength: 500 }),
      ua.endpoint.port,
    );
    const res = (await peer.next(isResponse(400))) as SipResponse;
    expect(res.headers.get('warning')).toMatch(/Content-Length 500 but only 3 body bytes/);
    peer.send(
      rawRequest(peer.port, ua.endpoint.port, { method: 'OPTIONS', contentLength: 'ten' }),
      ua.endpoint.port,
    );
    await peer.next(isResponse(400));
  });

  it('huge messages -> 513, an oversized body -> 413; unsupported SIP version -> 505', async () => {
    await setup();
    const pad = Array.from({ length: 400 }, (_, i) => `X-Pad-${i}: ${'y'.repeat(40)}`);
    peer.send(rawRequest(peer.port, ua.endpoint.port, { method: 'OPTIONS', headers: pad }), ua.endpoint.port);
    await peer.next(isResponse(513));
    peer.send(
      rawRequest(peer.port, ua.endpoint.port, { method: 'OPTIONS', body: 'z'.repeat(9000) }),
      ua.endpoint.port,
    );
    await peer.next(isResponse(413));
    const v3 = rawRequest(peer.port, ua.endpoint.port, { method: 'OPTIONS' }).replace(
      ' SIP/2.0\r\n',
      ' SIP/3.0\r\n',
    );
    peer.send(v3, ua.endpoint.port);
    await peer.next(isResponse(505));
    expect(await metric('voicebot_sip_bad_messages_total')).toMatch(/reason="too-large"\} 1/);
  });

  it('in-dialog requests for unknown dialogs -> 481; unsupported Require -> 420 with Unsupported', async () => {
    await setup();
    peer.send(rawRequest(peer.port, ua.endpoint.port, { method: 'BYE', toTag: 'nosuch' }), ua.endpoint.port);
    await peer.next(isResponse(481));
    peer.send(
      rawRequest(peer.port, ua.endpoint.port, {
        method: 'INVITE',
        headers: ['Require: 100rel, frobnication', 'Content-Type: application/sdp'],
        body: offer(4000),
      }),
      ua.endpoint.port,
    );
    const res = (await peer.next(isResponse(420))) as SipResponse;
    expect(res.headers.get('unsupported')).toBe('100rel, frobnication');
    expect(ua.ports.inUse).toBe(0);
  });

  it('an INVITE flood beyond maxInvitesPerSecond gets 503 + Retry-After; accepted calls are unaffected', async () => {
    await setup({ maxInvitesPerSecond: 5 });
    const legs: CallLeg[] = [];
    ua.onCall = (leg) => {
      legs.push(leg);
    };
    const rtp = await udp();
    for (let i = 0; i < 20; i++) {
      peer.send(
        rawRequest(peer.port, ua.endpoint.port, {
          method: 'INVITE',
          callId: `flood-${i}`,
          headers: ['Content-Type: application/sdp'],
          body: offer(rtp.address().port),
        }),
        ua.endpoint.port,
      );
    }
    await new Promise((r) => setTimeout(r, 500));
    const finals = peer.received.filter((m) => m.kind === 'response' && m.status >= 200) as SipResponse[];
    const busy = finals.filter((m) => m.status === 503);
    const ok = finals.filter((m) => m.status === 200);
    expect(ok.length).toBeGreaterThanOrEqual(5);
    expect(ok.length).toBeLessThanOrEqual(10); // 5 at once, plus refill while 20 arrive on a busy machine
    expect(busy.length + new Set(ok.map((m) => m.headers.get('call-id'))).size).toBe(20);
    expect(busy[0]!.headers.get('retry-after')).toBe('5');
    expect(legs.every((l) => l.active)).toBe(true);
    expect(await metric('voicebot_sip_rejected_invites_total')).toMatch(/reason="rate"\}/);
    await ua.close();
    expect(ua.ports.inUse).toBe(0);
  });

  it('an INVITE with an unusable From header gets 400 and releases its port', async () => {
    await setup();
    const rtp = await udp();
    const invite = rawRequest(peer.port, ua.endpoint.port, {
      method: 'INVITE',
      headers: ['Content-Type: application/sdp'],
      body: offer(rtp.address().port),
    }).replace(/From: [^\r]*/, 'From: <sip:caller@127.0.0.1;tag=x');
    peer.send(invite, ua.endpoint.port);
    await peer.next(isResponse(400));
    expect(ua.ports.inUse).toBe(0);
  });

  it('over maxCalls -> 503 capacity', async () => {
    await setup({ maxCalls: 1 });
    const rtp = await udp();
    const invite = (callId: string) =>
      rawRequest(peer.port, ua.endpoint.port, {
        method: 'INVITE',
        callId,
        headers: ['Content-Type: application/sdp'],
        body: offer(rtp.address().port),
      });
    peer.send(invite('cap-1'), ua.endpoint.port);
    await peer.next(isResponse(200));
    peer.send(invite('cap-2'), ua.endpoint.port);
    await peer.next(isResponse(503));
    expect(await metric('voicebot_sip_rejected_invites_total')).toMatch(/reason="capacity"\} 1/);
  });
});

describe('transactions and media under bad conditions', () => {
  it('a retransmitted INVITE is absorbed (one call); the 200 is retransmitted until ACK, then BYE after 64*T1', async () => {
    await setup({ timers: { t1Ms: 25, t2Ms: 100 } });
    let calls = 0;
    let hangup: string | undefined;
    ua.onCall = (leg) => {
      calls++;
      leg.on('hangup', (e) => (hangup = e.reason));
    };
    const rtp = await udp();
    const invite = rawRequest(peer.port, ua.endpoint.port, {
      method: 'INVITE',
      callId: 'no-ack',
      branch: 'z9hG4bKsame',
      headers: ['Content-Type: application/sdp'],
      body: offer(rtp.address().port),
    });
    peer.send(invite, ua.endpoint.port);
    peer.send(invite, ua.endpoint.port);
    const bye = await peer.next((m) => m.kind === 'request' && m.method === 'BYE', 4000);
    const oks = peer.received.filter((m) => m.kind === 'response' && m.status === 200);
    expect(calls).toBe(1);
    expect(oks.length).toBeGreaterThanOrEqual(4);
    expect(hangup).toBe('timeout');
    expect(tagOf(bye.headers.get('to'))).toBe('peer1');
    expect(ua.ports.inUse).toBe(0);
  });

  it('RTP from an unexpected source or malformed RTP is dropped and counted; the latched stream plays on', async () => {
    await setup();
    const frames: number[] = [];
    let leg: CallLeg | undefined;
    ua.onCall = (l) => {
      leg = l;
      l.on('audio', (f) => frames.push(f.samples[0]!));
    };
    const caller = await udp();
    const intruder = await udp();
    peer.send(
      rawRequest(peer.port, ua.endpoint.port, {
        method: 'INVITE',
        callId: 'latch',
        headers: ['Content-Type: application/sdp'],
        body: offer(caller.address().port),
      }),
      ua.endpoint.port,
    );
    const ok = (await peer.next(isResponse(200))) as SipResponse;
    const rtpPort = Number(/m=audio (\d+)/.exec(ok.body.toString())![1]);
    const packet = (seq: number, byte: number) =>
      serializeRtp({
        payloadType: 0,
        marker: false,
        sequence: seq,
        timestamp: seq * 160,
        ssrc: 7,
        payload: new Uint8Array(160).fill(byte),
      });
    for (let seq = 1; seq <= 5; seq++) {
      caller.send(packet(seq, 0x80), rtpPort, '127.0.0.1');
      intruder.send(packet(seq + 100, 0x00), rtpPort, '127.0.0.1');
      caller.send(Buffer.from([0x80, 0]), rtpPort, '127.0.0.1');
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(leg?.active).toBe(true);
    expect(frames).toHaveLength(5);
    // 0x80 is mu-law for a large positive sample; 0x00 (the intruder's) would be large negative.
    expect(frames.every((s) => s > 0)).toBe(true);
    const dropped = await metric('voicebot_sip_rtp_dropped_packets_total');
    expect(dropped).toMatch(/reason="unexpected-source"\} 5/);
    expect(dropped).toMatch(/reason="malformed"\} 5/);
  });
});
