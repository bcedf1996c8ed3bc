import { describe, expect, it } from 'vitest';
import { VoicebotError } from '../../engine/errors.ts';
import { mintToken, verifyToken } from './hmac-token.ts';

const SECRET = 'a-long-enough-test-secret';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof VoicebotError) return err.code;
    throw err;
  }
  return 'no error';
}

describe('mintToken / verifyToken', () => {
  it('round-trips with a subject and expiry', () => {
    const token = mintToken(SECRET, { nowS: 1000, ttlS: 60, subject: 'tenant-a' });
    expect(verifyToken(SECRET, token, { nowS: 1030 })).toEqual({ subject: 'tenant-a', exp: 1060 });
    expect(verifyToken(SECRET, mintToken(SECRET, { nowS: 5 }), { nowS: 6 })).toEqual({ exp: 3605 });
  });

  it('expires at exp and past maxAgeS', () => {
    const token = mintToken(SECRET, { nowS: 1000, ttlS: 60 });
    expect(codeOf(() => verifyToken(SECRET, token, { nowS: 1060 }))).toBe('AUTH_EXPIRED');
    expect(codeOf(() => verifyToken(SECRET, token, { nowS: 1031, maxAgeS: 30 }))).toBe('AUTH_EXPIRED');
    expect(codeOf(() => verifyToken(SECRET, token, { nowS: 1030, maxAgeS: 30 }))).toBe('no error');
  });

  it('refuses tampering: another secret, a changed payload or signature, bad shapes', () => {
    const token = mintToken(SECRET, { nowS: 1000, ttlS: 60, subject: 'a' });
    const [body, mac] = token.split('.') as [string, string];
    expect(codeOf(() => verifyToken('another-secret-entirely', token, { nowS: 1001 }))).toBe('AUTH_INVALID');
    const forged = Buffer.from(JSON.stringify({ iat: 1000, exp: 999999, sub: 'a' })).toString('base64url');
    expect(codeOf(() => verifyToken(SECRET, `${forged}.${mac}`, { nowS: 1001 }))).toBe('AUTH_INVALID');
    const flipped = mac.startsWith('A') ? `B${mac.slice(1)}` : `A${mac.slice(1)}`;
    expect(codeOf(() => verifyToken(SECRET, `${body}.${flipped}`, { nowS: 1001 }))).toBe('AUTH_INVALID');
    for (const bad of ['', 'abc', 'a.b.c', `${body}.`, `.${mac}`]) {
      expect(codeOf(() => verifyToken(SECRET, bad, { nowS: 1001 }))).toBe('AUTH_INVALID');
    }
  });

  it('refuses a token issued in the future (beyond clock skew)', () => {
    const token = mintToken(SECRET, { nowS: 10_000, ttlS: 600 });
    expect(codeOf(() => verifyToken(SECRET, token, { nowS: 9_000 }))).toBe('AUTH_INVALID');
    expect(codeOf(() => verifyToken(SECRET, token, { nowS: 9_990 }))).toBe('no error');
  });
});
