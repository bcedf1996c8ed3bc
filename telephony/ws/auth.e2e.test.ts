/**
 * End to end: upgrades without a valid credential are refused with 401 before the WebSocket
 * exists (no call starts), on both paths; a valid token gets through.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SkeletonEngine, startSkeletonEngine } from '../../dialogs/skeleton/skeleton-engine.ts';
import { SimCaller, UpgradeRefusedError } from '../../fixtures/sim-caller/sim-caller.ts';
import type { SimProtocol } from '../../fixtures/sim-caller/wire.ts';
import { mintToken } from '../auth/hmac-token.ts';

let sk: SkeletonEngine;
beforeAll(async () => {
  sk = await startSkeletonEngine();
});
afterAll(async () => {
  await sk.close();
});

async function refusal(protocol: SimProtocol, token: string | undefined): Promise<UpgradeRefusedError> {
  const caller = new SimCaller({ url: sk.engine.url, protocol, ...(token === undefined ? {} : { token }) });
  const err = await caller.connect().then(
    () => {
      caller.terminate();
      throw new Error('the upgrade was accepted');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UpgradeRefusedError);
  return err as UpgradeRefusedError;
}

describe.each(['twilio', 'raw'] as const)('auth on /%s', (protocol) => {
  it('no token: 401 AUTH_MISSING', async () => {
    const err = await refusal(protocol, undefined);
    expect(err.status).toBe(401);
    expect(JSON.parse(err.body).code).toBe('AUTH_MISSING');
  });

  it('a token signed with another secret: 401 AUTH_INVALID', async () => {
    const err = await refusal(protocol, mintToken('another-secret-of-enough-length'));
    expect(err.status).toBe(401);
    expect(JSON.parse(err.body).code).toBe('AUTH_INVALID');
  });

  it('a tampered token: 401 AUTH_INVALID', async () => {
    const good = sk.token();
    const err = await refusal(protocol, `x${good.slice(1)}`);
    expect(err.status).toBe(401);
    expect(JSON.parse(err.body).code).toBe('AUTH_INVALID');
  });

  it('an expired token: 401 AUTH_EXPIRED', async () => {
    const err = await refusal(protocol, sk.token({ nowS: Math.floor(Date.now() / 1000) - 7200, ttlS: 60 }));
    expect(err.status).toBe(401);
    expect(JSON.parse(err.body).code).toBe('AUTH_EXPIRED');
  });

  it('no call was started by the refusals; a valid token connects', async () => {
    expect(sk.engine.gateway.activeCalls()).toBe(0);
    const caller = new SimCaller({ url: sk.engine.url, protocol, token: sk.token() });
    await caller.connect();
    await caller.waitFor('bot.audio.start');
    expect(sk.engine.gateway.activeCalls()).toBe(1);
    await caller.hangup();
  });
});
