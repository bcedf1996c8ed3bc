/**
 * The raw L16 WebSocket protocol (jambonz `listen` / FreeSWITCH mod_audio_fork style): a first
 * text frame of JSON metadata, then binary little-endian PCM16 mono at the negotiated rate, plus
 * JSON text control messages both ways. Pure: no I/O.
 */
import type { SampleRate } from '../../engine/audio/frame.ts';
import { bytesToInt16 } from '../../engine/audio/pcm.ts';
import { VoicebotError } from '../../engine/errors.ts';
import type { CallDirection, TransferRequest } from '../call-leg.ts';
import { frameSlab } from '../media/sample-slab.ts';
import { DTMF_DIGITS, describeValue, jsonNumber, parseJsonObject } from './twilio.ts';

/** Subprotocols the raw path accepts (the one the client offers is echoed). */
export const RAW_SUBPROTOCOLS = ['audio.jambonz.org', 'audio.drachtio.org', 'voicebot.raw.v1'] as const;

export interface RawMetadata {
  callSid?: string;
  from?: string;
  to?: string;
  direction: CallDirection;
  sampleRate: SampleRate;
  /** Every other key, stringified (objects as JSON). */
  parameters: Record<string, string>;
}

export type RawControl =
  | { event: 'dtmf'; digit: string; durationMs?: number }
  | { event: 'hangup' }
  | { event: 'transferred'; ok: boolean; detail?: string };

const KNOWN_KEYS = new Set(['callSid', 'from', 'to', 'direction', 'sampleRate']);
const MAX_PARAMETERS = 64;
const MAX_PARAMETER_CHARS = 2048;

function optString(v: unknown, key: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new VoicebotError('WS_BAD_START', `metadata.${key} must be a string`);
  return v;
}

/** Parses the first text frame. Missing/invalid sampleRate is WS_BAD_START / WS_UNSUPPORTED_MEDIA. */
export function parseRawMetadata(text: string): RawMetadata {
  let msg: Record<string, unknown>;
  try {
    msg = parseJsonObject(text);
  } catch (err) {
    throw new VoicebotError('WS_BAD_START', `metadata frame: ${(err as Error).message}`);
  }
  if (msg.sampleRate === undefined) {
    throw new VoicebotError('WS_BAD_START', 'metadata lacks sampleRate (8000 or 16000)');
  }
  const rate = jsonNumber(msg.sampleRate);
  if (rate !== 8000 && rate !== 16000) {
    throw new VoicebotError(
      'WS_UNSUPPORTED_MEDIA',
      `metadata.sampleRate ${describeValue(msg.sampleRate)} is not 8000 or 16000`,
    );
  }
  const direction = msg.direction ?? 'inbound';
  if (direction !== 'inbound' && direction !== 'outbound') {
    throw new VoicebotError('WS_BAD_START', 'metadata.direction must be "inbound" or "outbound"');
  }
  const parameters: Record<string, string> = {};
  let count = 0;
  for (const [key, value] of Object.entries(msg)) {
    if (KNOWN_KEYS.has(key) || value === null || value === undefined) continue;
    if (++count > MAX_PARAMETERS) {
      throw new VoicebotError('WS_BAD_START', `metadata has more than ${MAX_PARAMETERS} extra keys`);
    }
    const s =
      typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
    if (s.length > MAX_PARAMETER_CHARS) {
      throw new VoicebotError(
        'WS_BAD_START',
        `metadata.${key.slice(0, 40)} is longer than ${MAX_PARAMETER_CHARS}`,
      );
    }
    parameters[key] = s;
  }
  const callSid = optString(msg.callSid, 'callSid');
  const from = optString(msg.from, 'from');
  const to = optString(msg.to, 'to');
  return {
    ...(callSid ? { callSid } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    direction,
    sampleRate: rate,
    parameters,
  };
}

/** Parses a control text frame received after the metadata. */
export function parseRawControl(text: string): RawControl {
  const msg = parseJsonObject(text);
  switch (msg.event) {
    case 'dtmf': {
      const digit = msg.dtmf;
      if (typeof digit !== 'string' || !DTMF_DIGITS.test(digit)) {
        throw new VoicebotError('WS_BAD_PAYLOAD', 'dtmf is missing or not one of 0-9 * # A-D');
      }
      const duration = jsonNumber(msg.duration);
      return Number.isFinite(duration) && duration > 0
        ? { event: 'dtmf', digit, durationMs: duration }
        : { event: 'dtmf', digit };
    }
    case 'hangup':
      return { event: 'hangup' };
    case 'transferred': {
      const detail = typeof msg.detail === 'string' ? msg.detail.slice(0, 200) : undefined;
      return detail === undefined
        ? { event: 'transferred', ok: msg.ok === true }
        : { event: 'transferred', ok: msg.ok === true, detail };
    }
    default:
      throw new VoicebotError(
        'WS_UNKNOWN_EVENT',
        typeof msg.event === 'string'
          ? `unknown event "${msg.event.slice(0, 40)}"`
          : 'message has no string "event" field',
      );
  }
}

/** Binary frame -> samples (a copy, so the socket's buffer may be reused). Odd lengths are refused. */
export function decodeRawAudio(data: Uint8Array): Int16Array {
  if (data.byteLength === 0 || data.byteLength % 2 !== 0) {
    throw new VoicebotError(
      'WS_BAD_PAYLOAD',
      `binary frame of ${data.byteLength} bytes is not a whole number of 16-bit samples`,
    );
  }
  // A frame of its own on the shared slab (no backing store per frame); data may be a view.
  const out = frameSlab.take(data.byteLength / 2);
  out.set(bytesToInt16(data));
  return out;
}

export const rawOut = {
  mark: (name: string): string => JSON.stringify({ type: 'mark', data: { name } }),
  killAudio: (): string => '{"type":"killAudio"}',
  transfer: (req: TransferRequest): string =>
    JSON.stringify({
      type: 'transfer',
      data: { target: req.target, reason: req.reason, summary: req.summary },
    }),
  disconnect: (reason: string): string => JSON.stringify({ type: 'disconnect', data: { reason } }),
};
