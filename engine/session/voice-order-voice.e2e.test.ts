/**
 * Spoken orders and a person asked for by voice, over the real WebSocket gateway with real
 * audio: espeak-ng through the G.711 channel, pocketsphinx with the catalog grammars the
 * voice-order questions send (dialogs/voice-order/grammar.ts; measured in
 * bench/voice-order-asr.ts), WebRTC VAD, the deterministic NLU.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimCaller } from '../../fixtures/sim-caller/sim-caller.ts';
import { type SessionEngine, startSessionEngine } from './testing/session-engine.ts';
import { orderCaller, prerender, sleep, voiceOrderDialog } from './testing/voice-order-caller.ts';

const { orders, dialogFor } = voiceOrderDialog();
let se: SessionEngine;
const callers: SimCaller[] = [];

beforeAll(async () => {
  prerender(["i'd like two pizzas and a coke", 'yes', "that's all", 'three cokes', 'operator']);
  se = await startSessionEngine({
    dialogFor,
    agents: [{ id: 'bob', name: 'Bob', target: 'sip:bob@pbx.example', languages: ['en-US'] }],
  });
});

afterAll(async () => {
  for (const c of callers.splice(0)) if (!c.closeInfo) c.terminate();
  await se?.close();
});

describe.concurrent('voice-order by voice', () => {
  it('cooperative caller speaks two items with quantities, "that\'s all", and confirms by voice', async () => {
    const k = await orderCaller(se, callers, 'CA-vv-coop', '+14155550100', { elderly: 'false' });
    await k.prompt(/What would you like to order\?/);
    await k.say("i'd like two pizzas and a coke");
    await k.prompt(/^two pizzas, is that right\?/);
    await k.say('yes');
    await k.prompt(/^one bottle of coke, is that right\?/);
    await k.say('yes');
    await k.prompt(/^Anything else\?/);
    await k.say("that's all");
    await k.prompt(/^You ordered two pizzas and one bottle of coke\. .*Shall I place the order\?/);
    await k.say('yes');
    await k.prompt(/registered address/);
    await k.say('yes');
    expect(await k.outcome(), JSON.stringify(k.heard())).toMatchObject({ status: 'order-placed' });
    const order = orders.find((o) => o.callId === k.record()?.callId);
    expect(order?.lines).toEqual([
      { itemId: 'pizza', quantity: 2, priceMinor: 4800 },
      { itemId: 'coke', quantity: 1, priceMinor: 500 },
    ]);
    expect(order?.address).toBe('40 Pine Street, apartment 2B');
    expect(k.heard()[0]).toBe("i'd like two pizzas and a coke");
  }, 45_000);

  it('a caller orders by voice, then says "operator" at a yes/no question: handed to the agent', async () => {
    const k = await orderCaller(se, callers, 'CA-vv-agent', '+14155550100', { elderly: 'false' });
    await k.prompt(/What would you like to order\?/);
    await k.say('three cokes');
    await k.prompt(/^three bottles of coke, is that right\?/);
    // The yes/no grammar carries the global intents: "operator" is not forced into a yes or no.
    await k.say('operator');
    const until = performance.now() + 15_000;
    while (!k.record()?.transfer && performance.now() < until) await sleep(50);
    expect(k.record()?.transfer, JSON.stringify(k.heard())).toMatchObject({ ok: true, agentId: 'bob' });
    expect(k.heard().at(-1)).toBe('operator');
    expect(orders.find((o) => o.callId === k.record()?.callId)).toBeUndefined();
  }, 60_000);
});
