/** RTP fixed header codec (RFC 3550 §5.1). Pure. */

export interface RtpPacket {
  payloadType: number;
  marker: boolean;
  sequence: number;
  timestamp: number;
  ssrc: number;
  payload: Uint8Array;
}

export class RtpParseError extends Error {
  override name = 'RtpParseError';
}

export function parseRtp(data: Uint8Array): RtpPacket {
  if (data.length < 12) throw new RtpParseError(`RTP packet of ${data.length} bytes is shorter than 12`);
  const b0 = data[0]!;
  if (b0 >> 6 !== 2) throw new RtpParseError(`RTP version ${b0 >> 6} (expected 2)`);
  const padding = (b0 & 0x20) !== 0;
  const extension = (b0 & 0x10) !== 0;
  const csrcCount = b0 & 0x0f;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let offset = 12 + csrcCount * 4;
  if (extension) {
    if (data.length < offset + 4) throw new RtpParseError('RTP extension header truncated');
    offset += 4 + view.getUint16(offset + 2) * 4;
  }
  let end = data.length;
  if (padding) end -= data[data.length - 1]!;
  if (offset > end) throw new RtpParseError('RTP header longer than the packet');
  return {
    payloadType: data[1]! & 0x7f,
    marker: (data[1]! & 0x80) !== 0,
    sequence: view.getUint16(2),
    timestamp: view.getUint32(4),
    ssrc: view.getUint32(8),
    payload: data.subarray(offset, end),
  };
}

export function serializeRtp(p: RtpPacket): Buffer {
  const out = Buffer.allocUnsafe(12 + p.payload.length);
  out[0] = 0x80;
  out[1] = (p.marker ? 0x80 : 0) | (p.payloadType & 0x7f);
  out.writeUInt16BE(p.sequence & 0xffff, 2);
  out.writeUInt32BE(p.timestamp >>> 0, 4);
  out.writeUInt32BE(p.ssrc >>> 0, 8);
  out.set(p.payload, 12);
  return out;
}

/** Signed distance a-b on the 16-bit sequence circle (-32768..32767). */
export function seqDelta(a: number, b: number): number {
  return ((((a - b) & 0xffff) + 0x8000) & 0xffff) - 0x8000;
}
