/**
 * Twilio Media Streams wire format (bidirectional `<Connect><Stream>`): pure parsing of the JSON
 * text frames Twilio sends and building of the frames we send back. No I/O; bad input raises a
 * VoicebotError with a stable WS_* code and a message that names the field (never its contents).
 */
import { VoicebotError } from '../../engine/errors.ts';
import { scanMedia } from './twilio-media-scan.ts';

export interface TwilioStart {
  streamSid: string;
  callSid: string;
  accountSid?: string;
  tracks: string[];
  customParameters: Record<string, string>;
}

export type TwilioInbound =
  | { event: 'connected' }
  | { event: 'start'; start: TwilioStart }
  | { event: 'media'; payload: Uint8Array; track?: string }
  | { event: 'dtmf'; digit: string }
  | { event: 'mark'; name: string }
  | { event: 'stop' };

export const DTMF_DIGITS = /^[0-9*#A-D]$/;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A JSON number, or a string holding one (Twilio sends counters as strings); NaN otherwise.
 * Never Number(object): a peer's {"toString":0} would throw.
 */
export function jsonNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  return Number.NaN;
}

/** A short printable form of a peer's value for messages: its type unless it is a scalar. */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.slice(0, 24));
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : 'missing';
}

/** Parses one text frame as a JSON object (WS_BAD_JSON otherwise). Shared by both protocols. */
export function parseJsonObject(text: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new VoicebotError('WS_BAD_JSON', `text frame is not valid JSON (${text.length} chars)`);
  }
  if (!isObject(value)) throw new VoicebotError('WS_BAD_JSON', 'text frame is JSON but not an object');
  return value;
}

/**
 * Decodes strict base64 (length a multiple of 4, standard alphabet) to bytes. With `scratch`
 * (big enough), the bytes are written there and the result is a view on it, valid until the
 * scratch is written again: no allocation per media message.
 */
export function decodeBase64Strict(payload: unknown, what: string, scratch?: Buffer): Uint8Array {
  if (typeof payload !== 'string' || payload.length === 0) {
    throw new VoicebotError('WS_BAD_PAYLOAD', `${what} is missing or not a non-empty string`);
  }
  // Node's decoder skips characters outside the alphabet, so a short result means bad input
  // (cheaper than a regular expression over every media payload).
  const padding = payload.endsWith('==') ? 2 : payload.endsWith('=') ? 1 : 0;
  const expected = (payload.length / 4) * 3 - padding;
  let bytes: Uint8Array | null = null;
  if (payload.length % 4 === 0) {
    if (scratch && expected + 3 <= scratch.length) {
      bytes = scratch.subarray(0, scratch.write(payload, 0, 'base64'));
    } else {
      bytes = Buffer.from(payload, 'base64');
    }
  }
  if (!bytes || bytes.length !== expected) {
    throw new VoicebotError(
      'WS_BAD_PAYLOAD',
      `${what} is not valid base64 (length ${payload.length}, must be a multiple of 4 from A-Z a-z 0-9 + /)`,
    );
  }
  return bytes;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function stringRecord(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObject(v)) return out;
  for (const [k, val] of Object.entries(v)) {
    if (val === null || val === undefined) continue;
    out[k] = typeof val === 'string' ? val : typeof val === 'object' ? JSON.stringify(val) : String(val);
  }
  return out;
}

function parseStart(msg: Json): TwilioStart {
  const start = msg.start;
  if (!isObject(start)) throw new VoicebotError('WS_BAD_START', 'start message lacks the "start" object');
  const streamSid = str(start.streamSid) ?? str(msg.streamSid);
  if (!streamSid) throw new VoicebotError('WS_BAD_START', 'start message lacks streamSid');
  const callSid = str(start.callSid);
  if (!callSid) throw new VoicebotError('WS_BAD_START', 'start message lacks start.callSid');
  const format = start.mediaFormat;
  if (!isObject(format)) throw new VoicebotError('WS_BAD_START', 'start message lacks start.mediaFormat');
  const { encoding, sampleRate, channels } = format;
  if (encoding !== 'audio/x-mulaw' || jsonNumber(sampleRate) !== 8000 || jsonNumber(channels ?? 1) !== 1) {
    throw new VoicebotError(
      'WS_UNSUPPORTED_MEDIA',
      `mediaFormat ${[encoding, sampleRate, channels].map(describeValue).join('/')} is not audio/x-mulaw 8000 mono`,
    );
  }
  const tracks = Array.isArray(start.tracks) ? start.tracks.filter((t) => typeof t === 'string') : [];
  const accountSid = str(start.accountSid);
  return {
    streamSid,
    callSid,
    ...(accountSid ? { accountSid } : {}),
    tracks,
    customParameters: stringRecord(start.customParameters),
  };
}

/**
 * Parses one text frame from Twilio. With `scratch`, a media payload is decoded into it (see
 * decodeBase64Strict): the caller must use the bytes before the next parse.
 */
export function parseTwilioMessage(text: string, scratch?: Buffer): TwilioInbound {
  const media = scanMedia(text);
  if (media) {
    const payload = decodeBase64Strict(media.payload, 'media.payload', scratch);
    const { track } = media;
    return track ? { event: 'media', payload, track } : { event: 'media', payload };
  }
  return parseTwilioObject(parseJsonObject(text), scratch);
}

/** The message once parsed as a JSON object (parseTwilioMessage without its media fast path). */
export function parseTwilioObject(msg: Json, scratch?: Buffer): TwilioInbound {
  switch (msg.event) {
    case 'connected':
      return { event: 'connected' };
    case 'start':
      return { event: 'start', start: parseStart(msg) };
    case 'media': {
      const media = msg.media;
      if (!isObject(media))
        throw new VoicebotError('WS_BAD_PAYLOAD', 'media message lacks the "media" object');
      const payload = decodeBase64Strict(media.payload, 'media.payload', scratch);
      const track = str(media.track);
      return track ? { event: 'media', payload, track } : { event: 'media', payload };
    }
    case 'dtmf': {
      const dtmf = msg.dtmf;
      const digit = isObject(dtmf) ? dtmf.digit : undefined;
      if (typeof digit !== 'string' || !DTMF_DIGITS.test(digit)) {
        throw new VoicebotError('WS_BAD_PAYLOAD', 'dtmf.digit is missing or not one of 0-9 * # A-D');
      }
      return { event: 'dtmf', digit };
    }
    case 'mark': {
      const mark = msg.mark;
      const name = isObject(mark) ? str(mark.name) : undefined;
      if (!name) throw new VoicebotError('WS_BAD_PAYLOAD', 'mark message lacks mark.name');
      return { event: 'mark', name };
    }
    case 'stop':
      return { event: 'stop' };
    default:
      throw new VoicebotError(
        'WS_UNKNOWN_EVENT',
        typeof msg.event === 'string'
          ? `unknown event "${msg.event.slice(0, 40)}"`
          : 'message has no string "event" field',
      );
  }
}

const BASE64_ALPHABET = Buffer.from(
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
  'latin1',
);
const EQUALS = 0x3d;
const MEDIA_SUFFIX = Buffer.from('"}}', 'latin1');

/** Writes `src` as standard padded base64 into `dst` at `at`; returns the offset after it. */
export function base64Into(src: Uint8Array, dst: Uint8Array, at: number): number {
  const T = BASE64_ALPHABET;
  const whole = src.length - (src.length % 3);
  let o = at;
  for (let i = 0; i < whole; i += 3) {
    const n = (src[i]! << 16) | (src[i + 1]! << 8) | src[i + 2]!;
    dst[o] = T[n >>> 18]!;
    dst[o + 1] = T[(n >>> 12) & 63]!;
    dst[o + 2] = T[(n >>> 6) & 63]!;
    dst[o + 3] = T[n & 63]!;
    o += 4;
  }
  const rest = src.length - whole;
  if (rest > 0) {
    const n = (src[whole]! << 16) | (rest === 2 ? src[whole + 1]! << 8 : 0);
    dst[o] = T[n >>> 18]!;
    dst[o + 1] = T[(n >>> 12) & 63]!;
    dst[o + 2] = rest === 2 ? T[(n >>> 6) & 63]! : EQUALS;
    dst[o + 3] = EQUALS;
    o += 4;
  }
  return o;
}

/** Builds outbound frames for one stream; the streamSid prefix is encoded once. */
export class TwilioEncoder {
  private readonly sid: string;
  private readonly mediaPrefix: string;
  private readonly mediaPrefixBytes: Buffer;

  constructor(streamSid: string) {
    this.sid = JSON.stringify(streamSid);
    this.mediaPrefix = `{"event":"media","streamSid":${this.sid},"media":{"payload":"`;
    this.mediaPrefixBytes = Buffer.from(this.mediaPrefix, 'utf8');
  }

  /** One media message carrying raw mu-law bytes (no header). */
  media(mulaw: Uint8Array): string {
    return `${this.mediaPrefix}${Buffer.from(mulaw.buffer, mulaw.byteOffset, mulaw.byteLength).toString('base64')}"}}`;
  }

  /**
   * The same message as media(), as its UTF-8 bytes (send it as a text frame): no string to
   * build, measure and re-encode on the way to the socket.
   */
  mediaBytes(mulaw: Uint8Array): Buffer {
    const prefix = this.mediaPrefixBytes;
    const out = Buffer.allocUnsafe(prefix.length + Math.ceil(mulaw.length / 3) * 4 + MEDIA_SUFFIX.length);
    prefix.copy(out, 0);
    const end = base64Into(mulaw, out, prefix.length);
    MEDIA_SUFFIX.copy(out, end);
    return out;
  }

  mark(name: string): string {
    return `{"event":"mark","streamSid":${this.sid},"mark":{"name":${JSON.stringify(name)}}}`;
  }

  clear(): string {
    return `{"event":"clear","streamSid":${this.sid}}`;
  }
}

function xmlEscape(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * TwiML that hands the call to a human: `tel:+4420…` dials the number, `sip:…` a SIP URI,
 * `client:name` a Twilio Client, `queue:name` enqueues. Anything else is refused.
 */
export function transferTwiml(target: string): string {
  const [scheme, ...rest] = target.split(':');
  const value = rest.join(':');
  let inner: string;
  if (scheme === 'tel' && /^\+?[0-9]{3,20}$/.test(value)) inner = `<Dial>${xmlEscape(value)}</Dial>`;
  else if (scheme === 'sip' || scheme === 'sips') inner = `<Dial><Sip>${xmlEscape(target)}</Sip></Dial>`;
  else if (scheme === 'client' && value) inner = `<Dial><Client>${xmlEscape(value)}</Client></Dial>`;
  else if (scheme === 'queue' && value) inner = `<Enqueue>${xmlEscape(value)}</Enqueue>`;
  else {
    throw new VoicebotError(
      'TRANSFER_FAILED',
      'transfer target must be tel:+<digits>, sip:<uri>, client:<name> or queue:<name>',
      {},
      { retryable: false },
    );
  }
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${inner}</Response>`;
}
