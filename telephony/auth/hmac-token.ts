/**
 * Expiring URL tokens for the WebSocket upgrade (`wss://host/raw?token=...`):
 * `base64url(JSON {iat, exp, sub?}) + "." + base64url(HMAC-SHA256(secret, first part))`.
 * Verification is constant time; a tampered, malformed or expired token throws AUTH_*.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { VoicebotError } from '../../engine/errors.ts';

const DEFAULT_TTL_S = 3600;
/** Tokens minted up to this far in the future (clock skew) are still accepted. */
const SKEW_S = 60;

function sign(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('base64url');
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export function mintToken(
  secret: string,
  options: { ttlS?: number; nowS?: number; subject?: string } = {},
): string {
  if (!secret) throw new VoicebotError('CONFIG_INVALID', 'token secret is empty');
  const iat = options.nowS ?? nowSeconds();
  const payload: { iat: number; exp: number; sub?: string } = {
    iat,
    exp: iat + (options.ttlS ?? DEFAULT_TTL_S),
  };
  if (options.subject !== undefined) payload.sub = options.subject;
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${sign(secret, body)}`;
}

export function verifyToken(
  secret: string,
  token: string,
  options: { nowS?: number; maxAgeS?: number } = {},
): { subject?: string; exp: number } {
  const parts = token.split('.');
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw new VoicebotError('AUTH_INVALID', 'token is not of the form <payload>.<signature>');
  }
  const [body, mac] = parts as [string, string];
  const expected = Buffer.from(sign(secret, body));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new VoicebotError('AUTH_INVALID', 'token signature does not verify');
  }
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw new VoicebotError('AUTH_INVALID', 'token payload is not JSON');
  }
  const { iat, exp, sub } = (payload ?? {}) as { iat?: unknown; exp?: unknown; sub?: unknown };
  if (typeof exp !== 'number' || typeof iat !== 'number') {
    throw new VoicebotError('AUTH_INVALID', 'token payload lacks numeric iat/exp');
  }
  const now = options.nowS ?? nowSeconds();
  if (now >= exp) throw new VoicebotError('AUTH_EXPIRED', `token expired ${now - exp} s ago`);
  if (iat > now + SKEW_S) throw new VoicebotError('AUTH_INVALID', 'token is issued in the future');
  if (options.maxAgeS !== undefined && now - iat > options.maxAgeS) {
    throw new VoicebotError('AUTH_EXPIRED', `token is older than maxAgeS ${options.maxAgeS}`);
  }
  return typeof sub === 'string' ? { subject: sub, exp } : { exp };
}
