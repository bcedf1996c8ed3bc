import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DtmfReceiver, digitToEvent, serializeTelephoneEvent } from './dtmf.ts';
import { JitterBuffer } from './jitter-buffer.ts';
import { parseRtp, type RtpPacket, RtpParseError, seqDelta, serializeRtp } from './packet.ts';
import { RtpPortAllocator } from './port-allocator.ts';

const pkt = (sequence: number, ssrc = 1): RtpPacket => ({
  payloadType: 0,
  marker: false,
  sequence,
  timestamp: sequence * 160,
  ssrc,
  payload: new Uint8Array([sequence & 0xff]),
});

/** RTP payloads of a classic pcap file (Ethernet/IPv4/UDP), as sipp ships them. */
function rtpFromPcap(path: string): Buffer[] {
  const data = readFileSync(path);
  const out: Buffer[] = [];
  for (let off = 24; off + 16 <= data.length; ) {
    const incl = data.readUInt32LE(off + 8);
    const frame = data.subarray(off + 16, off + 16 + incl);
    const ihl = (frame[14]! & 0x0f) * 4;
    out.push(frame.subarray(14 + ihl + 8));
    off += 16 + incl;
  }
  return out;
}

describe('RTP packets', () => {
  it('round-trips the fixed header and skips CSRCs, extensions and padding', () => {
    const p = {
      payloadType: 8,
      marker: true,
      sequence: 65535,
      timestamp: 0xfffffff0,
      ssrc: 0xdeadbeef,
      payload: new Uint8Array([1, 2, 3]),
    };
    const back = parseRtp(serializeRtp(p));
    expect({ ...back, payload: [...back.payload] }).toEqual({ ...p, payload: [1, 2, 3] });
    const withExt = Buffer.from([
      0xb1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 9, 9, 9, 9, 0xbe, 0xde, 0, 1, 7, 7, 7, 7, 0xaa, 0xbb, 0, 2,
    ]);
    expect([...parseRtp(withExt).payload]).toEqual([0xaa, 0xbb]);
  });

  it('rejects short and non-v2 packets', () => {
    expect(() => parseRtp(new Uint8Array(5))).toThrow(RtpParseError);
    expect(() => parseRtp(new Uint8Array(12))).toThrow(/version 0/);
  });

  it('compares sequence numbers across the wrap', () => {
    expect(seqDelta(2, 65534)).toBe(4);
    expect(seqDelta(65534, 2)).toBe(-4);
  });
});

describe('RFC 4733 receiver', () => {
  it("reports sipp's dtmf_2833_1.pcap (10 packets, end packet sent 3 times) as exactly one '1'", () => {
    const rx = new DtmfReceiver();
    const digits = rtpFromPcap('/usr/share/sip-tester/dtmf_2833_1.pcap')
      .map((b) => parseRtp(b))
      .filter((p) => p.payloadType === 101)
      .map((p) => rx.push(p.ssrc, p.timestamp, p.payload))
      .filter((d) => d !== null);
    expect(digits).toEqual([{ digit: '1', durationMs: 280 }]);
  });

  it('reports an event whose end packets were all lost when the next event starts', () => {
    const rx = new DtmfReceiver();
    const ev = (event: number, end: boolean, duration: number) =>
      serializeTelephoneEvent({ event, end, volume: 10, duration });
    expect(rx.push(5, 1000, ev(digitToEvent('#'), false, 160))).toBeNull();
    expect(rx.push(5, 5000, ev(digitToEvent('7'), false, 160))).toEqual({ digit: '#', durationMs: 20 });
    expect(rx.push(5, 5000, ev(digitToEvent('7'), true, 800))).toEqual({ digit: '7', durationMs: 100 });
    expect(rx.push(5, 5000, ev(digitToEvent('7'), true, 800))).toBeNull();
  });
});

describe('jitter buffer', () => {
  it('passes in-order packets, reorders within its depth, drops duplicates and late packets', () => {
    const jb = new JitterBuffer(3);
    const seqs = (ps: RtpPacket[]) => ps.map((p) => p.sequence);
    expect(seqs(jb.push(pkt(10)))).toEqual([10]);
    expect(seqs(jb.push(pkt(12)))).toEqual([]);
    expect(seqs(jb.push(pkt(11)))).toEqual([11, 12]);
    expect(seqs(jb.push(pkt(11)))).toEqual([]);
    expect(jb.dropped).toBe(1);
    // 13 lost: after depth+1 packets are held the gap is given up.
    expect(seqs(jb.push(pkt(14)))).toEqual([]);
    expect(seqs(jb.push(pkt(15)))).toEqual([]);
    expect(seqs(jb.push(pkt(16)))).toEqual([]);
    expect(seqs(jb.push(pkt(17)))).toEqual([14, 15, 16, 17]);
    expect(jb.lost).toBe(1);
  });

  it('handles the sequence wrap and a new SSRC', () => {
    const jb = new JitterBuffer(2);
    expect(jb.push(pkt(65535)).length).toBe(1);
    expect(jb.push(pkt(0)).length).toBe(1);
    expect(jb.push(pkt(500, 2)).map((p) => p.sequence)).toEqual([500]);
  });
});

describe('RTP port allocator', () => {
  it('hands out even ports from its range, skips busy ones, and returns to 0 in use', async () => {
    const base = 20000 + 2 * Math.floor(Math.random() * 10000);
    const a = new RtpPortAllocator('127.0.0.1', base, base + 5);
    const p1 = await a.allocate();
    const p2 = await a.allocate();
    const p3 = await a.allocate();
    expect([p1.port, p2.port, p3.port].every((p) => p % 2 === 0 && p >= base && p <= base + 5)).toBe(true);
    expect(a.inUse).toBe(3);
    await expect(a.allocate()).rejects.toThrow(/no free RTP port/);
    a.release(p2.port, p2.socket);
    const again = await a.allocate();
    expect(again.port).toBe(p2.port);
    for (const p of [p1, again, p3]) a.release(p.port, p.socket);
    a.release(p1.port, p1.socket); // double release is harmless
    expect(a.inUse).toBe(0);
  });

  it('refuses a nonsense range', () => {
    expect(() => new RtpPortAllocator('127.0.0.1', 5000, 4000)).toThrow(/bad RTP port range/);
  });
});
