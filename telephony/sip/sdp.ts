import { parse, write } from 'sdp-transform';

/**
 * SDP offer/answer for one audio stream (RFC 3264, RFC 8866) on top of sdp-transform. Pure.
 * We speak G.711 (PCMU 0, PCMA 8) at 20 ms and RFC 4733 telephone-event.
 */

export type Law = 'mulaw' | 'alaw';
export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export interface MediaSelection {
  /** Where to send RTP (before symmetric-RTP latching). */
  remoteAddress: string;
  remotePort: number;
  payloadType: number;
  law: Law;
  /** Payload type of telephone-event, when both sides support it. */
  dtmfPayloadType?: number;
  /** The peer's direction (what it does), e.g. sendonly = it holds us. */
  remoteDirection: Direction;
}

export class SdpError extends Error {
  constructor(
    /** 400 for unparsable SDP, 488 for nothing acceptable. */
    readonly status: 400 | 488,
    message: string,
  ) {
    super(message);
    this.name = 'SdpError';
  }
}

const STATIC: Record<number, Law> = { 0: 'mulaw', 8: 'alaw' };
const LAW_NAME: Record<Law, string> = { mulaw: 'PCMU', alaw: 'PCMA' };

interface Offered {
  address: string;
  port: number;
  formats: { pt: number; codec: string; rate: number }[];
  direction: Direction;
}

function readAudio(sdp: string): Offered {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(sdp);
  } catch (err) {
    throw new SdpError(400, `unparsable SDP: ${(err as Error).message}`);
  }
  if (!/^v=0/m.test(sdp) || !parsed.media?.length)
    throw new SdpError(400, 'SDP has no v=0 line or no m= line');
  const audio = parsed.media.find((m) => m.type === 'audio' && m.port > 0);
  if (!audio) throw new SdpError(488, 'SDP offers no active audio stream');
  if (!/^RTP\/AVP$/i.test(audio.protocol))
    throw new SdpError(488, `unsupported media protocol ${audio.protocol} (only RTP/AVP)`);
  const address = audio.connection?.ip ?? parsed.connection?.ip;
  if (!address) throw new SdpError(400, 'SDP has no c= connection address');
  const pts = String(audio.payloads ?? '')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
  if (pts.some((p) => !Number.isInteger(p) || p < 0 || p > 127))
    throw new SdpError(400, 'bad payload type in m= line');
  const formats = pts.map((pt) => {
    const rtp = audio.rtp.find((r) => r.payload === pt);
    if (rtp) return { pt, codec: rtp.codec.toLowerCase(), rate: rtp.rate ?? 8000 };
    return { pt, codec: STATIC[pt] === 'mulaw' ? 'pcmu' : STATIC[pt] === 'alaw' ? 'pcma' : '', rate: 8000 };
  });
  const direction = (audio.direction ?? parsed.direction ?? 'sendrecv') as Direction;
  const hold = address === '0.0.0.0';
  return { address, port: audio.port, formats, direction: hold ? 'inactive' : direction };
}

function select(o: Offered, preferred: Law[]): MediaSelection {
  let chosen: { pt: number; law: Law } | undefined;
  for (const f of o.formats) {
    const law: Law | undefined = f.codec === 'pcmu' ? 'mulaw' : f.codec === 'pcma' ? 'alaw' : undefined;
    if (law && f.rate === 8000 && preferred.includes(law)) {
      // The offerer's order wins (RFC 3264 §6.1), limited to what we accept.
      chosen = { pt: f.pt, law };
      break;
    }
  }
  if (!chosen) throw new SdpError(488, 'no common codec (we accept PCMU and PCMA at 8000 Hz)');
  const dtmf = o.formats.find((f) => f.codec === 'telephone-event' && f.rate === 8000);
  return {
    remoteAddress: o.address,
    remotePort: o.port,
    payloadType: chosen.pt,
    law: chosen.law,
    dtmfPayloadType: dtmf?.pt,
    remoteDirection: o.direction,
  };
}

/** Reads a remote offer and picks what we will use. Throws SdpError (400/488). */
export function negotiateOffer(sdp: string, preferred: Law[] = ['mulaw', 'alaw']): MediaSelection {
  return select(readAudio(sdp), preferred);
}

/** Reads the answer to our offer. */
export function readAnswer(sdp: string): MediaSelection {
  return select(readAudio(sdp), ['mulaw', 'alaw']);
}

export function answerDirection(remote: Direction): Direction {
  if (remote === 'sendonly') return 'recvonly';
  if (remote === 'recvonly') return 'sendonly';
  return remote;
}

export interface LocalSdp {
  address: string;
  port: number;
  sessionId: number;
  version: number;
  formats: { pt: number; law: Law }[];
  dtmfPayloadType?: number;
  direction: Direction;
}

export function buildSdp(local: LocalSdp): string {
  const pts = local.formats.map((f) => f.pt);
  const rtp = local.formats.map((f) => ({ payload: f.pt, codec: LAW_NAME[f.law], rate: 8000 }));
  const fmtp: { payload: number; config: string }[] = [];
  if (local.dtmfPayloadType !== undefined) {
    pts.push(local.dtmfPayloadType);
    rtp.push({ payload: local.dtmfPayloadType, codec: 'telephone-event', rate: 8000 });
    fmtp.push({ payload: local.dtmfPayloadType, config: '0-16' });
  }
  return write({
    version: 0,
    origin: {
      username: 'voicebot',
      sessionId: local.sessionId,
      sessionVersion: local.version,
      netType: 'IN',
      ipVer: 4,
      address: local.address,
    },
    name: 'voicebot',
    connection: { version: 4, ip: local.address },
    timing: { start: 0, stop: 0 },
    media: [
      {
        type: 'audio',
        port: local.port,
        protocol: 'RTP/AVP',
        payloads: pts.join(' '),
        rtp,
        fmtp,
        ptime: 20,
        direction: local.direction,
      },
    ],
  });
}

/** Our offer for outbound calls: PCMU, PCMA and telephone-event 101. */
export function buildOffer(address: string, port: number, sessionId: number, version = 1): string {
  return buildSdp({
    address,
    port,
    sessionId,
    version,
    formats: [
      { pt: 0, law: 'mulaw' },
      { pt: 8, law: 'alaw' },
    ],
    dtmfPayloadType: 101,
    direction: 'sendrecv',
  });
}
