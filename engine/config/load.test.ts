import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VoicebotError } from '../errors.ts';
import { loadConfig } from './load.ts';

const secret = 'a-long-enough-secret-0123456789';

describe('loadConfig', () => {
  it('takes defaults and env', () => {
    const cfg = loadConfig({ env: { VOICEBOT_PORT: '9090', VOICEBOT_TOKEN_SECRET: secret } });
    expect(cfg.port).toBe(9090);
    expect(cfg.host).toBe('127.0.0.1');
    expect(cfg.auth.tokenSecret).toBe(secret);
    expect(cfg.gateway.maxMessageBytes).toBe(65536);
  });

  it('names the key, the source, the value and what is expected on a bad value', () => {
    try {
      loadConfig({ env: { VOICEBOT_PORT: 'eighty', VOICEBOT_TOKEN_SECRET: secret } });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(VoicebotError);
      const e = err as VoicebotError;
      expect(e.code).toBe('CONFIG_INVALID');
      expect(e.message).toContain('port (from env VOICEBOT_PORT) = "eighty"');
      expect(e.message).toMatch(/expected number/);
    }
  });

  it('hides secrets in the error', () => {
    expect(() => loadConfig({ env: { VOICEBOT_TOKEN_SECRET: 'short' } })).toThrow(
      /\[hidden\].*16 characters/,
    );
  });

  it('requires some credential unless auth is off', () => {
    expect(() => loadConfig({ env: {} })).toThrow(/auth.*tokenSecret/);
    expect(loadConfig({ env: { VOICEBOT_AUTH_MODE: 'none' } }).auth.mode).toBe('none');
  });

  it('reads a YAML file, env wins over it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vb-cfg-'));
    const file = join(dir, 'voicebot.yaml');
    writeFileSync(file, `port: 7000\nauth:\n  tokenSecret: ${secret}\ngateway:\n  maxCalls: 5\n`);
    const cfg = loadConfig({ env: { VOICEBOT_PORT: '7001' }, file });
    expect(cfg.port).toBe(7001);
    expect(cfg.gateway.maxCalls).toBe(5);
  });

  it('reports an unreadable or malformed file clearly', () => {
    expect(() => loadConfig({ env: {}, file: '/nonexistent/voicebot.yaml' })).toThrow(
      /cannot read config file/,
    );
    const dir = mkdtempSync(join(tmpdir(), 'vb-cfg-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{"port": ');
    expect(() => loadConfig({ env: {}, file })).toThrow(/not valid JSON/);
  });
});
