/**
 * An engine on a loopback port running the walking-skeleton handler, with a fresh random token
 * secret: what `voicebot demo` and the end-to-end tests start.
 */
import { randomBytes } from 'node:crypto';
import type { Vad } from '../../asr-tts/vad.ts';
import type { SampleRate } from '../../engine/audio/frame.ts';
import { loadConfig } from '../../engine/config/load.ts';
import { type Engine, startEngine } from '../../engine/engine.ts';
import { createRootLogger, type Logger } from '../../engine/log/logger.ts';
import type { Metrics } from '../../engine/metrics/metrics.ts';
import { mintToken } from '../../telephony/auth/hmac-token.ts';
import { createEchoMenuHandler, type SkeletonEvent } from './echo-menu.ts';
import { defaultSkeletonVad } from './vad.ts';

export interface SkeletonEngineOptions {
  log?: Logger;
  logLevel?: 'silent' | 'error' | 'warn' | 'info' | 'debug';
  metrics?: Metrics;
  onEvent?: (event: SkeletonEvent) => void;
  createVad?: (sampleRate: SampleRate) => Vad;
  transferTarget?: string;
}

export interface SkeletonEngine {
  engine: Engine;
  secret: string;
  /** A fresh URL token for this engine (ttlS default 600; nowS to mint an expired one). */
  token(options?: { ttlS?: number; nowS?: number }): string;
  close(): Promise<void>;
}

export async function startSkeletonEngine(options: SkeletonEngineOptions = {}): Promise<SkeletonEngine> {
  const secret = randomBytes(24).toString('base64url');
  const config = loadConfig({
    env: {},
    overrides: {
      host: '127.0.0.1',
      port: 0,
      logLevel: options.logLevel ?? 'silent',
      'auth.mode': 'token',
      'auth.tokenSecret': secret,
    },
  });
  const log = options.log ?? createRootLogger({ level: config.logLevel });
  const handler = createEchoMenuHandler({
    log,
    createVad: options.createVad ?? defaultSkeletonVad,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    ...(options.transferTarget ? { transferTarget: options.transferTarget } : {}),
  });
  const engine = await startEngine({
    config,
    handler,
    log,
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  return {
    engine,
    secret,
    token: (o = {}) =>
      mintToken(secret, { ttlS: o.ttlS ?? 600, ...(o.nowS === undefined ? {} : { nowS: o.nowS }) }),
    close: () => engine.close(),
  };
}
