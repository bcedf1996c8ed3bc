/**
 * Nobody free to take the call: an engine of its own with no agents, so the outcome does not
 * depend on other tests' calls. The caller asks for a person by voice; the bot says nobody is
 * free and that they will be called back, and the call record holds the callback request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimCaller } from '../../fixtures/sim-caller/sim-caller.ts';
import { type SessionEngine, startSessionEngine } from './testing/session-engine.ts';
import { orderCaller, prerender, voiceOrderDialog } from './testing/voice-order-caller.ts';

const { dialogFor } = voiceOrderDialog();
let se: SessionEngine;
const callers: SimCaller[] = [];

beforeAll(async () => {
  prerender(['talk to a person']);
  se = await startSessionEngine({ dialogFor, agents: [] });
});

afterAll(async () => {
  for (const c of callers.splice(0)) if (!c.closeInfo) c.terminate();
  await se?.close();
});

describe('voice-order with no agent free', () => {
  it('"talk to a person" by voice: told nobody is free, a callback is recorded, the call ends', async () => {
    const k = await orderCaller(se, callers, 'CA-na-1', '+14155550123', { elderly: 'false' });
    await k.prompt(/What would you like to order\?/);
    await k.say('talk to a person');
    await k.prompt(/nobody is free .*call you back/, false);
    expect(await k.outcome(), JSON.stringify(k.heard())).toMatchObject({ status: 'callback-requested' });
    const record = await se.record('CA-na-1');
    expect(record.transfer).toMatchObject({ ok: false, reason: 'no-agent' });
    expect(record.callback).toEqual({ requested: true, reason: 'no-agent', number: '+14155550123' });
    expect(record.events.map((e) => e.type)).toContain('callback.requested');
    expect(k.heard()).toEqual(['talk to a person']);
  }, 60_000);
});
