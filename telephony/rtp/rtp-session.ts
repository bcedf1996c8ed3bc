import { randomInt } from 'node:crypto';
import type { RemoteInfo, Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { DtmfReceiver } from './dtmf.ts';
import { JitterBuffer } from './jitter-buffer.ts';
import { parseRtp, type RtpPacket, RtpParseError, serializeRtp } from './packet.ts';

/** A longer gap between two sent packets than this is a pause in speech, not timer jitter. */
const TALKSPURT_GAP_MS = 200;

export interface RtpEndpoint {
  address: string;
  port: number;
}

export interface RtpSessionEvents {
  /** An audio payload of the negotiated payload type, in sequence order. */
  payload: [packet: RtpPacket];
  dtmf: [event: { digit: string; durationMs: number }];
  /** A packet was dropped: 'unexpected-source', 'malformed', 'unknown-payload'. */
  drop: [reason: string];
  latched: [endpoint: RtpEndpoint];
}

/**
 * One call's RTP stream on its own UDP socket. Symmetric RTP (RFC 4961, "comedia"): we send from
 * the port we advertised, and latch onto the source of the first valid packet of a negotiated
 * payload type, wherever it comes from (behind NAT the signalled address is often private, and
 * baresip on a multi-homed host signals its default interface); from then on packets from any
 * other source are dropped and counted. `relatch()` after a re-INVITE that moves the media.
 */
export class RtpSession extends EventEmitter<RtpSessionEvents> {
  readonly ssrc = randomInt(1, 0xffffffff);
  private sequence = randomInt(0, 0xffff);
  private timestamp = randomInt(0, 0xffffffff);
  private remote: RtpEndpoint;
  private latched = false;
  private marker = true;
  private lastSendMs: number | null = null;
  private readonly jitter = new JitterBuffer(3);
  private readonly dtmf = new DtmfReceiver();
  private closed = false;
  packetsIn = 0;
  packetsOut = 0;

  constructor(
    readonly socket: Socket,
    readonly localPort: number,
    remote: RtpEndpoint,
    public payloadType: number,
    public dtmfPayloadType: number | undefined,
  ) {
    super();
    this.remote = { ...remote };
    socket.on('message', (data, rinfo) => this.onPacket(data, rinfo));
    socket.on('error', () => this.emit('drop', 'socket-error'));
  }

  get remoteEndpoint(): RtpEndpoint {
    return this.remote;
  }

  /** New signalled address (re-INVITE): latch again. */
  relatch(remote: RtpEndpoint): void {
    this.remote = { ...remote };
    this.latched = false;
  }

  /** Sends one packet of `samples` RTP clock ticks (160 for 20 ms at 8 kHz). */
  send(payload: Uint8Array, samples: number): void {
    if (this.closed || this.remote.port === 0) return;
    const now = performance.now();
    if (this.lastSendMs !== null && now - this.lastSendMs > TALKSPURT_GAP_MS) {
      // After a pause (not mere pacing jitter) the timestamp follows the wall clock and a new
      // talkspurt begins, so the peer's jitter buffer places the audio right.
      const gap = Math.round((now - this.lastSendMs) / (samples / 8)) - 1;
      this.timestamp = (this.timestamp + gap * samples) >>> 0;
      this.marker = true;
    }
    this.lastSendMs = now;
    const packet = serializeRtp({
      payloadType: this.payloadType,
      marker: this.marker,
      sequence: this.sequence,
      timestamp: this.timestamp,
      ssrc: this.ssrc,
      payload,
    });
    this.marker = false;
    this.sequence = (this.sequence + 1) & 0xffff;
    this.timestamp = (this.timestamp + samples) >>> 0;
    this.packetsOut++;
    this.socket.send(packet, this.remote.port, this.remote.address);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.jitter.flush()) this.emit('payload', p);
    this.socket.removeAllListeners('message');
  }

  private negotiated(pt: number): boolean {
    return pt === this.payloadType || pt === this.dtmfPayloadType || pt === 0 || pt === 8;
  }

  private onPacket(data: Buffer, rinfo: RemoteInfo): void {
    if (this.closed) return;
    let packet: RtpPacket;
    try {
      packet = parseRtp(data);
    } catch (err) {
      if (err instanceof RtpParseError) this.emit('drop', 'malformed');
      return;
    }
    if (this.latched && (rinfo.address !== this.remote.address || rinfo.port !== this.remote.port)) {
      // Some peers (sipp, a few SBCs) send RFC 4733 events from a second socket on the same
      // host: accept those from the latched host, everything else only from the latched port.
      const sameHostDtmf =
        rinfo.address === this.remote.address && packet.payloadType === this.dtmfPayloadType;
      if (!sameHostDtmf) {
        this.emit('drop', 'unexpected-source');
        return;
      }
    }
    if (packet.payloadType >= 72 && packet.payloadType <= 76) return; // RTCP on the RTP port (rtcp-mux)
    if (!this.latched) {
      if (!this.negotiated(packet.payloadType)) {
        this.emit('drop', 'unknown-payload');
        return;
      }
      this.latched = true;
      this.remote = { address: rinfo.address, port: rinfo.port };
      this.emit('latched', this.remote);
    }
    this.packetsIn++;
    if (this.dtmfPayloadType !== undefined && packet.payloadType === this.dtmfPayloadType) {
      let ev: { digit: string; durationMs: number } | null = null;
      try {
        ev = this.dtmf.push(packet.ssrc, packet.timestamp, packet.payload);
      } catch {
        this.emit('drop', 'malformed');
      }
      if (ev) this.emit('dtmf', ev);
      return;
    }
    if (packet.payloadType !== this.payloadType && packet.payloadType !== 0 && packet.payloadType !== 8) {
      this.emit('drop', 'unknown-payload');
      return;
    }
    for (const p of this.jitter.push(packet)) this.emit('payload', p);
  }
}
