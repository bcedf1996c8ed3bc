import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallLeg, DtmfEvent } from '../call-leg.ts';
import { serializeRtp } from '../rtp/packet.ts';
import { tagOf } from './header-values.ts';
import type { SipResponse } from './message.ts';
import { offer, RawPeer, rawRequest } from './testing/raw-peer.ts';
import { SipUserAgent } from './user-agent.ts';

let ua: SipUserAgent;
let peer: RawPeer;
const sockets: Socket[] = [];
afterEach(async () => {
  await ua?.close();
  await peer?.close();
  for (const s of sockets.splice(0)) s.close();
});

async function udp(): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  sockets.push(s);
  return s;
}

const isStatus = (status: number, method: string) => (m: { kind: string }) =>
  m.kind === 'response' &&
  (m as SipResponse).status === status &&
  (m as SipResponse).headers.get('cseq')!.endsWith(method);

/** An answered and ACKed inbound call from a raw peer; returns what in-dialog requests need. */
async function connect(rtp: Socket) {
  ua = await SipUserAgent.start({ port: 0 });
  peer = await RawPeer.open();
  const legs: CallLeg[] = [];
  ua.onCall = (leg) => {
    legs.push(leg);
  };
  const callId = `dlg-${Math.random()}`;
  peer.send(
    rawRequest(peer.port, ua.endpoint.port, {
      method: 'INVITE',
      callId,
      headers: ['Content-Type: application/sdp'],
      body: offer(rtp.address().port),
    }),
    ua.endpoint.port,
  );
  const ok = (await peer.next(isStatus(200, 'INVITE'))) as SipResponse;
  const toTag = tagOf(ok.headers.get('to'))!;
  peer.send(rawRequest(peer.port, ua.endpoint.port, { method: 'ACK', callId, toTag }), ua.endpoint.port);
  const rtpPort = Number(/m=audio (\d+)/.exec(ok.body.toString())![1]);
  await new Promise((r) => setTimeout(r, 20));
  return { callId, toTag, rtpPort, leg: legs[0]! };
}

const rtpPacket = (seq: number, ssrc: number) =>
  serializeRtp({
    payloadType: 0,
    marker: false,
    sequence: seq,
    timestamp: seq * 160,
    ssrc,
    payload: new Uint8Array(160).fill(0x80),
  });

describe('in-dialog requests', () => {
  it('INFO application/dtmf-relay becomes a sip-info digit; other INFO bodies get 415', async () => {
    const { callId, toTag, leg } = await connect(await udp());
    const digits: DtmfEvent[] = [];
    leg.on('dtmf', (d) => digits.push(d));
    peer.send(
      rawRequest(peer.port, ua.endpoint.port, {
        method: 'INFO',
        callId,
        toTag,
        cseq: 2,
        headers: ['Content-Type: application/dtmf-relay'],
        body: 'Signal=5\r\nDuration=160\r\n',
      }),
      ua.endpoint.port,
    );
    await peer.next(isStatus(200, 'INFO'));
    peer.send(
      rawRequest(peer.port, ua.endpoint.port, {
        method: 'INFO',
        callId,
        toTag,
        cseq: 3,
        headers: ['Content-Type: text/plain'],
        body: 'x',
      }),
      ua.endpoint.port,
    );
    await peer.next(isStatus(415, 'INFO'));
    expect(digits).toEqual([{ digit: '5', source: 'sip-info', durationMs: 160 }]);
  });

  it('a re-INVITE that moves the media re-latches RTP to the new source; an old CSeq gets 500', async () => {
    const first = await udp();
    const { callId, toTag, rtpPort, leg } = await connect(first);
    let frames = 0;
    leg.on('audio', () => frames++);
    first.send(rtpPacket(1, 9), rtpPort, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 50));
    const second = await udp();
    peer.send(
      rawRequest(peer.port, ua.endpoint.port, {
        method: 'INVITE',
        callId,
        toTag,
        cseq: 2,
        headers: ['Content-Type: application/sdp'],
        body: offer(second.address().port),
      }),
      ua.endpoint.port,
    );
    const ok = (await peer.next(isStatus(200, 'INVITE'))) as SipResponse;
    expect(ok.body.toString()).toContain('a=sendrecv');
    peer.send(
      rawRequest(peer.port, ua.endpoint.port, { method: 'ACK', callId, toTag, cseq: 2 }),
      ua.endpoint.port,
    );
    for (let seq = 1; seq <= 3; seq++) second.send(rtpPacket(seq, 10), rtpPort, '127.0.0.1');
    first.send(rtpPacket(2, 9), rtpPort, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 80));
    expect(frames).toBe(4);
    peer.send(
      rawRequest(peer.port, ua.endpoint.port, { method: 'OPTIONS', callId, toTag, cseq: 1 }),
      ua.endpoint.port,
    );
    await peer.next(isStatus(500, 'OPTIONS'));
    expect(leg.active).toBe(true);
  });
});
