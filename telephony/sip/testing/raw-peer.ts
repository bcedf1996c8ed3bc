import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import type { SipMessage } from '../message.ts';
import { parseMessage } from '../parser.ts';

/** A bare UDP SIP peer for tests: sends hand-written datagrams and collects what comes back. */
export class RawPeer {
  readonly received: SipMessage[] = [];
  private waiters: { match: (m: SipMessage) => boolean; resolve: (m: SipMessage) => void }[] = [];

  private constructor(readonly socket: Socket) {
    socket.on('message', (data) => {
      let m: SipMessage;
      try {
        m = parseMessage(data);
      } catch {
        return;
      }
      this.received.push(m);
      const w = this.waiters.find((x) => x.match(m));
      if (w) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(m);
      }
    });
  }

  static async open(): Promise<RawPeer> {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    return new RawPeer(s);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(data: string | Buffer, port: number): void {
    this.socket.send(typeof data === 'string' ? Buffer.from(data) : data, port, '127.0.0.1');
  }

  /** Resolves with the first message (already received or coming) that matches, or rejects after timeoutMs. */
  next(match: (m: SipMessage) => boolean, timeoutMs = 2000): Promise<SipMessage> {
    const seen = this.received.find(match);
    if (seen) {
      this.received.splice(this.received.indexOf(seen), 1);
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (m: SipMessage) => {
          clearTimeout(timer);
          this.received.splice(this.received.indexOf(m), 1);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error('no matching SIP message in time'));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  close(): Promise<void> {
    return new Promise((r) => this.socket.close(() => r()));
  }
}

export interface RequestParts {
  method: string;
  callId?: string;
  cseq?: number;
  branch?: string;
  fromTag?: string;
  toTag?: string;
  headers?: string[];
  body?: string;
  contentLength?: number | string;
}

/** Writes a request the way a peer would (CRLF line ends, Content-Length computed unless given). */
export function rawRequest(peerPort: number, uaPort: number, p: RequestParts): string {
  const body = p.body ?? '';
  const lines = [
    `${p.method} sip:bot@127.0.0.1:${uaPort} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${peerPort};branch=${p.branch ?? `z9hG4bK${randomBytes(6).toString('hex')}`}`,
    `From: <sip:caller@127.0.0.1:${peerPort}>;tag=${p.fromTag ?? 'peer1'}`,
    `To: <sip:bot@127.0.0.1:${uaPort}>${p.toTag ? `;tag=${p.toTag}` : ''}`,
    `Call-ID: ${p.callId ?? randomBytes(8).toString('hex')}`,
    `CSeq: ${p.cseq ?? 1} ${p.method}`,
    `Contact: <sip:caller@127.0.0.1:${peerPort}>`,
    'Max-Forwards: 70',
    ...(p.headers ?? []),
    `Content-Length: ${p.contentLength ?? Buffer.byteLength(body)}`,
    '',
    body,
  ];
  return lines.join('\r\n');
}

export function offer(rtpPort: number, payloads = '0 101'): string {
  return [
    'v=0',
    'o=- 1 1 IN IP4 127.0.0.1',
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${rtpPort} RTP/AVP ${payloads}`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:101 telephone-event/8000',
    '',
  ].join('\r\n');
}
