/**
 * What every test engine on a loopback port starts from: a config on 127.0.0.1, port 0, silent
 * logs and HMAC URL-token auth with a fresh secret, and the matching logger, metrics and a
 * token minter for the sim callers. Further config keys (the same names as loadConfig's overrides)
 * are applied on top.
 */
import { randomBytes } from 'node:crypto';
import { mintToken } from '../../../telephony/auth/hmac-token.ts';
import { loadConfig } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import { createRootLogger, type Logger } from '../../log/logger.ts';
import { Metrics } from '../../metrics/metrics.ts';

export interface LoopbackBase {
  config: Config;
  log: Logger;
  metrics: Metrics;
  /** A URL token the engine accepts (`?token=`), valid for `ttlS` seconds. */
  token(ttlS?: number): string;
}

export function loopbackBase(overrides: Record<string, unknown> = {}): LoopbackBase {
  const secret = randomBytes(24).toString('base64url');
  const config = loadConfig({
    env: {},
    overrides: {
      host: '127.0.0.1',
      port: 0,
      logLevel: 'silent',
      'auth.mode': 'token',
      'auth.tokenSecret': secret,
      ...overrides,
    },
  });
  return {
    config,
    log: createRootLogger({ level: config.logLevel }),
    metrics: new Metrics(),
    token: (ttlS = 600) => mintToken(secret, { ttlS }),
  };
}
