/**
 * The voice-ordering dialog (dialogs/voice-order) driven through the session over the real
 * WebSocket gateway (raw protocol, the sim caller answers the transfer request).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCatalog } from '../../dialogs/nlu/catalog.ts';
import { createVoiceOrderDialog, type OrderRequest } from '../../dialogs/voice-order/machine.ts';
import { SimCaller } from '../../fixtures/sim-caller/sim-caller.ts';
import { type SessionEngine, startSessionEngine } from './testing/session-engine.ts';

const catalog = parseCatalog(
  JSON.parse(readFileSync(new URL('../../fixtures/catalogs/meals.json', import.meta.url), 'utf8')),
  'meals.json',
);
const orders: OrderRequest[] = [];
const machine = createVoiceOrderDialog(
  { catalog },
  {
    lookupAddress: async () => null,
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
    dialogFor: () => ({ name: 'voice-order', machine, input: { elderly: true }, catalog, language: 'en-US' }),
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
