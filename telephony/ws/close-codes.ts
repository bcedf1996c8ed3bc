import type { ErrorCode } from '../../engine/errors.ts';

/** WebSocket close codes (RFC 6455 section 7.4.1) the gateway uses. */
export const CLOSE = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  UNSUPPORTED_DATA: 1003,
  INVALID_PAYLOAD: 1007,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  INTERNAL_ERROR: 1011,
} as const;

/** Errors that end the connection, and the close code each one uses. Others are ignored. */
export const FATAL_CLOSE: Partial<Record<ErrorCode, number>> = {
  WS_BAD_START: CLOSE.POLICY_VIOLATION,
  WS_START_TIMEOUT: CLOSE.POLICY_VIOLATION,
  WS_UNSUPPORTED_MEDIA: CLOSE.UNSUPPORTED_DATA,
  WS_MESSAGE_TOO_LARGE: CLOSE.MESSAGE_TOO_BIG,
};

/** Errors that are ignored one at a time but close the socket after a run of them. */
export const STREAK_CLOSE: Partial<Record<ErrorCode, number>> = {
  WS_BAD_JSON: CLOSE.INVALID_PAYLOAD,
  WS_BINARY_NOT_ALLOWED: CLOSE.UNSUPPORTED_DATA,
};

/** A close reason must fit in 123 bytes of UTF-8 (ws throws otherwise): cut to 120 bytes. */
export function closeReason(text: string): string {
  if (Buffer.byteLength(text) <= 120) return text;
  let out = text.slice(0, 117);
  while (Buffer.byteLength(out) > 117) out = out.slice(0, -1);
  return `${out}...`;
}
