import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyToken } from '../../../telephony/auth/hmac-token.ts';

const BIN = join(import.meta.dirname, '../../../bin/voicebot.mjs');
const SECRET = 'token-cli-test-secret-0123';
const env = { ...process.env, VOICEBOT_TOKEN_SECRET: SECRET, VOICEBOT_AUTH_MODE: 'token' };

describe('voicebot token', () => {
  it('prints a token the gateway accepts, or a full URL', () => {
    const out = execFileSync(process.execPath, [BIN, 'token', '--ttl', '120', '--subject', 'jambonz'], {
      env,
    }).toString();
    const claims = verifyToken(SECRET, out.trim());
    expect(claims.subject).toBe('jambonz');
    expect(claims.exp - Date.now() / 1000).toBeGreaterThan(100);
    const url = execFileSync(process.execPath, [BIN, 'token', '--url', 'wss://bot.example.com/raw'], {
      env,
    }).toString();
    const parsed = new URL(url.trim());
    expect(`${parsed.origin}${parsed.pathname}`).toBe('wss://bot.example.com/raw');
    expect(verifyToken(SECRET, parsed.searchParams.get('token')!).exp).toBeGreaterThan(Date.now() / 1000);
  });

  it('fails with a clear message without a secret or with a bad --ttl', () => {
    const noSecret = spawnSync(process.execPath, [BIN, 'token'], {
      env: { ...process.env, VOICEBOT_TOKEN_SECRET: '', VOICEBOT_AUTH_MODE: 'none' },
    });
    expect(noSecret.status).toBe(1);
    expect(noSecret.stderr.toString()).toContain('VOICEBOT_TOKEN_SECRET');
    const badTtl = spawnSync(process.execPath, [BIN, 'token', '--ttl', 'soon'], { env });
    expect(badTtl.status).toBe(1);
    expect(badTtl.stderr.toString()).toContain('--ttl');
  });
});
