/**
 * Writes RTP captures (libpcap, Ethernet/IPv4/UDP/RTP, one packet per 20 ms) for sipp's
 * `play_pcap_audio`, which replays the payloads with the capture's timing to the peer's media
 * address from the SDP: audio as PCMU, or one RFC 4733 key press. Pure: returns the bytes.
 */
import { mulawEncode } from '../../../engine/audio/g711.ts';
import { digitToEvent, serializeTelephoneEvent } from '../../rtp/dtmf.ts';
import { type RtpPacket, serializeRtp } from '../../rtp/packet.ts';

const PTIME_SAMPLES = 160;

function checksum(buf: Buffer, start: number, end: number, initial = 0): number {
  let sum = initial;
  for (let i = start; i < end; i += 2) sum += (buf[i]! << 8) + (i + 1 < end ? buf[i + 1]! : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

function frame(rtp: Buffer, srcPort: number, dstPort: number): Buffer {
  const udpLength = 8 + rtp.length;
  const ipLength = 20 + udpLength;
  const f = Buffer.alloc(14 + ipLength);
  // Ethernet: locally administered MACs, IPv4.
  Buffer.from([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1]).copy(f, 0);
  f.writeUInt16BE(0x0800, 12);
  const ip = 14;
  f[ip] = 0x45;
  f.writeUInt16BE(ipLength, ip + 2);
  f[ip + 8] = 64; // TTL
  f[ip + 9] = 17; // UDP
  Buffer.from([127, 0, 0, 1]).copy(f, ip + 12);
  Buffer.from([127, 0, 0, 1]).copy(f, ip + 16);
  f.writeUInt16BE(~checksum(f, ip, ip + 20) & 0xffff, ip + 10);
  const udp = ip + 20;
  f.writeUInt16BE(srcPort, udp);
  f.writeUInt16BE(dstPort, udp + 2);
  f.writeUInt16BE(udpLength, udp + 4);
  rtp.copy(f, udp + 8);
  // UDP checksum over the pseudo-header (addresses, protocol, length) and the datagram.
  const pseudo = checksum(f, ip + 12, ip + 20, 17 + udpLength);
  const sum = ~checksum(f, udp, udp + udpLength, pseudo) & 0xffff;
  f.writeUInt16BE(sum === 0 ? 0xffff : sum, udp + 6);
  return f;
}

interface PcapOptions {
  ssrc?: number;
  srcPort?: number;
  dstPort?: number;
}

/** A pcap of RTP packets sent 20 ms apart. */
function pcap(packets: Omit<RtpPacket, 'ssrc'>[], options: PcapOptions): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  const parts: Buffer[] = [header];
  const ssrc = options.ssrc ?? 0x5e17_0001;
  packets.forEach((p, n) => {
    const f = frame(serializeRtp({ ...p, ssrc }), options.srcPort ?? 6000, options.dstPort ?? 6002);
    const record = Buffer.alloc(16);
    const us = n * 20_000;
    record.writeUInt32LE(Math.floor(us / 1e6), 0);
    record.writeUInt32LE(us % 1e6, 4);
    record.writeUInt32LE(f.length, 8);
    record.writeUInt32LE(f.length, 12);
    parts.push(record, f);
  });
  return Buffer.concat(parts);
}

/** 8 kHz PCM16 -> a pcap of PCMU (payload type 0) RTP packets. */
export function rtpPcap(samples: Int16Array, options: PcapOptions = {}): Buffer {
  const packets: Omit<RtpPacket, 'ssrc'>[] = [];
  for (let i = 0, n = 0; i < samples.length; i += PTIME_SAMPLES, n++) {
    const chunk = new Int16Array(PTIME_SAMPLES);
    chunk.set(samples.subarray(i, i + PTIME_SAMPLES));
    packets.push({
      payloadType: 0,
      marker: n === 0,
      sequence: n & 0xffff,
      timestamp: (n * PTIME_SAMPLES) >>> 0,
      payload: mulawEncode(chunk),
    });
  }
  return pcap(packets, options);
}

/**
 * One RFC 4733 key press (payload type 101): `durationMs` of event packets, then the end
 * packet three times. Receivers tell events apart by (SSRC, timestamp): give each press of the
 * same key its own `timestamp`.
 */
export function dtmfPcap(
  digit: string,
  options: PcapOptions & { timestamp: number; durationMs?: number; payloadType?: number },
): Buffer {
  const event = digitToEvent(digit);
  const steps = Math.max(1, Math.round((options.durationMs ?? 160) / 20));
  const packets: Omit<RtpPacket, 'ssrc'>[] = [];
  for (let i = 1; i <= steps + 2; i++) {
    const end = i >= steps;
    packets.push({
      payloadType: options.payloadType ?? 101,
      marker: i === 1,
      sequence: i,
      timestamp: options.timestamp >>> 0,
      payload: serializeTelephoneEvent({
        event,
        end,
        volume: 10,
        duration: Math.min(i, steps) * PTIME_SAMPLES,
      }),
    });
  }
  return pcap(packets, options);
}
