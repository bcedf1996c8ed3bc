/**
 * The voice-ordering dialog (dialogs/voice-order) driven through the session over the real
 * WebSocket gateway (raw protocol, the sim caller answers the transfer request): the keypad
 * callers, the interrupter, the elderly and the silent caller. Spoken orders and a person asked
 * for by voice: voice-order-voice.e2e.test.ts; nobody free: voice-order-no-agent.e2e.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimCaller } from '../../fixtures/sim-caller/sim-caller.ts';
import { type SessionEngine, startSessionEngine } from './testing/session-engine.ts';
import { orderCaller, prerender, sleep, voiceOrderDialog } from './testing/voice-order-caller.ts';

const { orders, dialogFor } = voiceOrderDialog();
let se: SessionEngine;
const callers: SimCaller[] = [];

beforeAll(async () => {
  prerender([
    'I would like to order some food please',
    ['repeat', 110],
    ['two', 110],
    ['yes', 110],
    ['no', 110],
  ]);
  se = await startSessionEngine({
    dialogFor,
    agents: [{ id: 'ann', name: 'Ann', target: 'sip:ann@pbx.example', languages: ['en-US'] }],
  });
});

afterAll(async () => {
  for (const c of callers.splice(0)) if (!c.closeInfo) c.terminate();
  await se?.close();
});

describe('voice-order through the session', () => {
  it('keypad caller presses 0 during the greeting: handed to the free agent', async () => {
    const k = await orderCaller(se, callers, 'CA-vo-1', '+15550100001');
    // 1.5 s of the greeting: on a silent line the bot must not pause it for speech nobody made.
    const heardUntil = performance.now() + 8_000;
    while (k.c.heardSegments().reduce((n, s) => n + s.samples.length, 0) < 8000 * 1.5) {
      if (performance.now() > heardUntil)
        throw new Error(`greeting not played; barge-in events: ${k.bargeIns()}`);
      await sleep(20);
    }
    const keyAt = performance.now();
    k.keys('0');
    const until = keyAt + 15_000;
    while (!k.record()?.transfer && performance.now() < until) await sleep(50);
    const transferMs = performance.now() - keyAt;
    const rec = k.record();
    expect(rec?.transfer, JSON.stringify(rec)).toMatchObject({ ok: true, agentId: 'ann' });
    expect(rec?.transcript.find((t) => t.side === 'caller')).toMatchObject({ text: '0', source: 'dtmf' });
    expect(rec?.transcript[0]?.side).toBe('bot');
    // The key cuts the greeting; the item question it led to is never said: "Connecting you" is
    // next, and the hand-over waits for it alone (about 4 s of elderly speech), not for both.
    const said = rec?.transcript.filter((t) => t.side === 'bot').map((t) => t.promptId) ?? [];
    expect(said, JSON.stringify(rec?.transcript)).toEqual([
      expect.stringMatching(/^greeting#/),
      expect.stringMatching(/^_human#/),
    ]);
    expect(rec?.transcript[0]?.interrupted).toBe(true);
    expect(transferMs).toBeLessThan(8_000);
    await k.c.hangup();
  }, 25_000);
});

describe.concurrent('voice-order over real audio', () => {
  it('interrupter speaks during the greeting (barge-in), then orders by keypad only', async () => {
    const k = await orderCaller(se, callers, 'CA-vo-barge', '+14155550100', { elderly: 'false' });
    await k.prompt(/welcome/, false);
    await sleep(1200);
    // Long enough not to pass for a backchannel ("yes" alone is held as one).
    await k.say('I would like to order some food please');
    // The words reach the item question, cut where the barge-in was decided: the grammar may
    // turn the rest into an item. Nothing is ordered without a yes: the caller says no (key 2).
    if (/is that right\?/.test(await k.reply())) {
      k.keys('2');
      await k.prompt(/What would you like to order\?/);
    }
    expect(JSON.stringify(k.record()?.events)).toMatch(/"barge_in"/);
    k.keys('1#');
    await k.prompt(/^How many/);
    k.keys('1#');
    await k.prompt(/is that right\?/);
    k.keys('1');
    await k.prompt(/^Anything else\?/);
    k.keys('2');
    await k.prompt(/Shall I place the order\?/);
    k.keys('1');
    await k.prompt(/registered address/);
    k.keys('1');
    expect(await k.outcome()).toMatchObject({ status: 'order-placed' });
    const order = orders.find((o) => o.callId === k.record()?.callId);
    expect(order?.lines).toEqual([{ itemId: 'pizza', quantity: 1, priceMinor: 4800 }]);
  }, 40_000);

  it('elderly caller: slow speech, long pauses, keypad offered at once, item by key, the rest by voice', async () => {
    const k = await orderCaller(se, callers, 'CA-vo-elder', '+14155550100');
    await k.prompt(/type the item number/);
    await sleep(2500);
    await k.say('repeat', 110);
    await k.prompt(/What would you like to order\?/);
    k.keys('22#');
    await k.prompt(/^How many loaves of bread\?/);
    await sleep(2000);
    // The quantity question's grammar: number words (with units, items and the global intents).
    await k.say('two', 110);
    await k.prompt(/is that right\?/);
    await k.say('yes', 110);
    await k.prompt(/^Anything else\?/);
    await k.say('no', 110);
    await k.prompt(/Shall I place the order\?/);
    await k.say('yes', 110);
    await k.prompt(/registered address/);
    k.keys('1');
    expect(await k.outcome()).toMatchObject({ status: 'order-placed' });
    const order = orders.find((o) => o.callId === k.record()?.callId);
    expect(order?.lines).toEqual([{ itemId: 'bread', quantity: 2, priceMinor: 1200 }]);
  }, 90_000);

  // The engine's one agent may be on another test's call: then the dialog records a callback.
  it('silent caller: re-prompted twice, then handed to a person or a callback recorded', async () => {
    // noInputMs shortens the dialog's no-input timeout so that the three tries fit in the test.
    const k = await orderCaller(se, callers, 'CA-vo-silent', '+15550100009', {
      elderly: 'false',
      noInputMs: '1000',
    });
    await k.prompt(/^What would you like to order\?/, false);
    await k.prompt(/^Sorry, I didn't hear anything\. What would you like to order\?/, false);
    await k.prompt(/^Please tell me one thing you would like/, false);
    await k.prompt(/Connecting you to a person/, false);
    // The three prompts alone take ~30 s of audio: the test needs a little over 40 s.
    const outcome = await k.outcome(12_000);
    const events = JSON.stringify(k.record()?.events);
    if (k.record()?.transfer?.ok) {
      expect(k.record()?.transfer).toMatchObject({ ok: true, agentId: 'ann' });
    } else {
      expect(outcome, events).toMatchObject({ status: 'callback-requested' });
      expect(events).toMatch(/"type":"callback.requested","reason":"no-agent"/);
    }
    expect(k.record()?.transcript.some((t) => t.side === 'caller')).toBe(false);
    // Digital silence is nobody talking: no prompt was paused for it.
    expect(k.bargeIns()).toBe('{}');
  }, 50_000);
});
