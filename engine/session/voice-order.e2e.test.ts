/**
 * The voice-ordering dialog (dialogs/voice-order) driven through the session over the real
 * WebSocket gateway (raw protocol, the sim caller answers the transfer request).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCatalog } from '../../dialogs/nlu/catalog.ts';
import { createVoiceOrderDialog, type OrderRequest } from '../../dialogs/voice-order/machine.ts';
import { SimCaller } from '../../fixtures/sim-caller/sim-caller.ts';
import { phoneChannel, speak } from '../../fixtures/speech/generate.ts';
import { CustomerDirectory } from '../orders/customer-directory.ts';
import { type SessionEngine, startSessionEngine } from './testing/session-engine.ts';

const catalog = parseCatalog(
  JSON.parse(readFileSync(new URL('../../fixtures/catalogs/meals.json', import.meta.url), 'utf8')),
  'meals.json',
);
const customers = CustomerDirectory.fromFile(
  new URL('../../fixtures/customers/customers.json', import.meta.url).pathname,
);
const orders: OrderRequest[] = [];
const machine = createVoiceOrderDialog(
  { catalog },
  {
    lookupAddress: (id) => customers.lookupAddress(id),
    submitOrder: async (order) => {
      orders.push(order);
      return { orderId: `A${orders.length}` };
    },
  },
);

let se: SessionEngine;
const callers: SimCaller[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  se = await startSessionEngine({
    // A call parameter noInputMs shortens the dialog's no-input timeout (the silent caller's test).
    dialogFor: (info) => ({
      name: 'voice-order',
      machine,
      input: {
        elderly: info.parameters.elderly !== 'false',
        ...(info.parameters.noInputMs ? { noInputTimeoutMs: Number(info.parameters.noInputMs) } : {}),
      },
      catalog,
      language: 'en-US',
    }),
    agents: [{ id: 'ann', name: 'Ann', target: 'sip:ann@pbx.example', languages: ['en-US'] }],
  });
});

afterAll(async () => {
  for (const c of callers.splice(0)) if (!c.closeInfo) c.terminate();
  await se?.close();
});

describe('voice-order through the session', () => {
  it('keypad caller presses 0 during the greeting: handed to the free agent', async () => {
    const c = new SimCaller({
      url: se.engine.url,
      protocol: 'raw',
      token: se.token(),
      from: '+15550100001',
      to: '+15550100002',
      callSid: 'CA-vo-1',
      transferAnswer: { ok: true },
    });
    callers.push(c);
    await c.connect();
    while (c.heardSegments().reduce((n, s) => n + s.samples.length, 0) < 8000 * 1.5) await sleep(20);
    c.dtmf('0');
    const until = performance.now() + 15_000;
    let rec = se.sessions.at(-1)?.recorder.record;
    while (!rec?.transfer && performance.now() < until) {
      await sleep(50);
      rec = se.sessions.at(-1)?.recorder.record;
    }
    expect(rec?.transfer, JSON.stringify(rec)).toMatchObject({ ok: true, agentId: 'ann' });
    expect(rec?.transcript.find((t) => t.side === 'caller')).toMatchObject({ text: '0', source: 'dtmf' });
    expect(rec?.transcript[0]?.side).toBe('bot');
    await c.hangup();
  }, 25_000);
});

/** An espeak-ng utterance through the G.711 channel, with a short lead and tail of silence. */
function utterance(text: string, wpm = 150): Int16Array {
  const speech = phoneChannel(speak(text, 'en-us', wpm));
  const out = new Int16Array(speech.length + 8000 * 0.4);
  out.set(speech, 8000 * 0.1);
  return out;
}

/** A caller of its own, with helpers that wait for a bot prompt and answer it. */
async function caller(callSid: string, from: string, parameters: Record<string, string> = {}) {
  const c = new SimCaller({
    url: se.engine.url,
    protocol: 'raw',
    token: se.token(),
    from,
    to: '+15550100002',
    callSid,
    customParameters: parameters,
    transferAnswer: { ok: true },
  });
  callers.push(c);
  await c.connect();
  const session = () => se.sessions.find((s) => s.recorder.record.providerCallId === callSid);
  const record = () => session()?.recorder.record;
  const botLines = () => record()?.transcript.filter((t) => t.side === 'bot') ?? [];
  let seen = 0;
  /** Waits for a new bot prompt matching `re`, then (quiet) for its audio to finish playing. */
  const prompt = async (re: RegExp, quiet = true) => {
    const until = performance.now() + 20_000;
    for (;;) {
      const lines = botLines();
      const i = lines.findIndex((l, n) => n >= seen && re.test(l.text));
      if (i >= 0) {
        seen = i + 1;
        break;
      }
      if (performance.now() > until)
        throw new Error(`no prompt ${re}; bot said: ${JSON.stringify(lines.map((l) => l.text))}`);
      await sleep(25);
    }
    while (quiet) {
      const seg = c.heardSegments().at(-1);
      const endMs = seg ? seg.startMs + seg.samples.length / 8 : 0;
      if (c.now() - endMs > 300) return;
      await sleep(25);
    }
  };
  const say = (text: string, wpm?: number) => c.play(utterance(text, wpm), text);
  const keys = (digits: string) => {
    for (const d of digits) c.dtmf(d);
  };
  const outcome = async (timeoutMs = 15_000) => {
    const until = performance.now() + timeoutMs;
    while (!record()?.outcome && performance.now() < until) await sleep(50);
    return record()?.outcome;
  };
  return { c, record, prompt, say, keys, outcome };
}

// pocketsphinx has no hints support, and the item and quantity questions of the voice-order
// dialog send hints (catalog names) rather than a phrase grammar, so they run in free language
// model mode. Measured there (espeak-ng through G.711 at 150/130/110 wpm): 'two pizzas' 0 of 3
// ('to the roof', ...), 'agent' 0 of 3, 'talk to a person' 0 of 3, 'operator' 2 of 3 alone but
// 'oh i do' over the gateway. So item and quantity use the keypad (item number, quantity, #) and
// asking for a person is the keypad's 0 (first test); every yes/no is spoken, in grammar mode.
describe.concurrent('voice-order over real audio', () => {
  it('cooperative caller: two pizzas by keypad, confirms everything by voice', async () => {
    const k = await caller('CA-vo-coop', '+14155550100', { elderly: 'false' });
    await k.prompt(/What would you like to order\?/);
    k.keys('1#');
    await k.prompt(/^How many/);
    k.keys('2#');
    await k.prompt(/is that right\?/);
    await k.say('yes');
    await k.prompt(/^Anything else\?/);
    // espeak-ng's 'no' at 150 wpm is barely over the VAD's minimum speech: said a little slower.
    await k.say('no', 120);
    await k.prompt(/Shall I place the order\?/);
    await k.say('yes');
    await k.prompt(/registered address/);
    await k.say('yes');
    expect(await k.outcome(), JSON.stringify(k.record()?.transcript)).toMatchObject({
      status: 'order-placed',
    });
    const order = orders.find((o) => o.callId === k.record()?.callId);
    expect(order?.lines).toEqual([{ itemId: 'pizza', quantity: 2, priceMinor: 4800 }]);
    expect(order?.address).toBe('40 Pine Street, apartment 2B');
  }, 40_000);

  it('interrupter speaks during the greeting: barge-in, then the order completes', async () => {
    const k = await caller('CA-vo-barge', '+14155550100', { elderly: 'false' });
    await k.prompt(/welcome/, false);
    await sleep(1200);
    // Long enough not to pass for a backchannel ("yes" alone is held as one).
    await k.say('I would like to order some food please');
    await k.prompt(/What would you like to order\?/);
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

  it('elderly caller: slow speech, long pauses, keypad offered at once, confirms by voice', async () => {
    const k = await caller('CA-vo-elder', '+14155550100');
    await k.prompt(/type the item number/);
    await sleep(2500);
    await k.say('repeat', 110);
    await k.prompt(/What would you like to order\?/);
    k.keys('22#');
    await k.prompt(/^How many loaves of bread\?/);
    await sleep(2000);
    k.keys('2#');
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
  }, 70_000);

  // The engine's one agent may be on another test's call: then the dialog records a callback.
  it('silent caller: re-prompted twice, then handed to a person or a callback recorded', async () => {
    // noInputMs shortens the dialog's no-input timeout so that the three tries fit in the test.
    const k = await caller('CA-vo-silent', '+15550100009', { elderly: 'false', noInputMs: '1000' });
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
  }, 50_000);
});
