import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { type Engine, startEngine } from '../../engine/engine.ts';
import { listen } from '../../engine/http/server.ts';
import { mintToken } from '../auth/hmac-token.ts';
import type { CallLeg, HangupEvent } from '../call-leg.ts';
import { transferTwiml } from '../codecs/twilio.ts';
import { Peer, TEST_SECRET, testConfig, twilioStart } from './testing/peer.ts';

/** A local stand-in for api.twilio.com: records requests, answers what the test says. */
interface Seen {
  method: string;
  path: string;
  authorization: string;
  contentType: string;
  body: URLSearchParams;
}

let engine: Engine | null = null;
let api: Server | null = null;
afterEach(async () => {
  await engine?.close();
  engine = null;
  api?.closeAllConnections();
  await new Promise<void>((r) => (api ? api.close(() => r()) : r()));
  api = null;
});

async function startApi(
  answer: (req: IncomingMessage) => { status: number; body: unknown; delayMs?: number },
) {
  const seen: Seen[] = [];
  api = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        path: req.url ?? '',
        authorization: req.headers.authorization ?? '',
        contentType: req.headers['content-type'] ?? '',
        body: new URLSearchParams(body),
      });
      const a = answer(req);
      setTimeout(() => {
        if (!res.destroyed)
          res.writeHead(a.status, { 'content-type': 'application/json' }).end(JSON.stringify(a.body));
      }, a.delayMs ?? 0);
    });
  });
  const port = await listen(api, 0, '127.0.0.1');
  return { base: `http://127.0.0.1:${port}`, seen };
}

async function twilioCall(apiBase: string, transferTimeoutMs = 2000) {
  const legs: CallLeg[] = [];
  const hangups: HangupEvent[] = [];
  engine = await startEngine({
    config: testConfig({
      auth: { mode: 'token-or-twilio', tokenSecret: TEST_SECRET, twilioAuthToken: 'tw-auth-token' },
      gateway: { twilioApiBaseUrl: apiBase, transferTimeoutMs },
    }),
    handler: (leg) => {
      legs.push(leg);
      leg.on('hangup', (h) => hangups.push(h));
    },
  });
  const peer = await new Peer(
    `${engine.url.replace('http', 'ws')}/twilio?token=${mintToken(TEST_SECRET)}`,
  ).open();
  peer.send(twilioStart('MZt', 'CAt'));
  const deadline = Date.now() + 2000;
  while (legs.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  return { peer, leg: legs[0]!, hangups };
}

describe('twilio transfer via the call-update REST API', () => {
  it('POSTs TwiML that dials the target with Basic auth, then ends the call (reason transfer)', async () => {
    const { base, seen } = await startApi(() => ({
      status: 200,
      body: { sid: 'CAt', status: 'in-progress' },
    }));
    const { peer, leg, hangups } = await twilioCall(base);
    await expect(leg.transfer({ target: 'tel:+15550100', reason: 'caller asked' })).resolves.toEqual({
      ok: true,
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      method: 'POST',
      path: '/2010-04-01/Accounts/AC0001/Calls/CAt.json',
      authorization: `Basic ${Buffer.from('AC0001:tw-auth-token').toString('base64')}`,
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(seen[0]!.body.get('Twiml')).toBe(transferTwiml('tel:+15550100'));
    expect((await peer.closed).code).toBe(1000);
    expect(hangups).toEqual([{ reason: 'transfer' }]);
  });

  it('maps Twilio failures: 20404 -> CALL_NOT_ACTIVE, 5xx -> retryable TRANSFER_FAILED, timeout', async () => {
    let next: { status: number; body: unknown; delayMs?: number } = { status: 404, body: { code: 20404 } };
    const { base } = await startApi(() => next);
    const { leg } = await twilioCall(base, 200);
    await expect(leg.transfer({ target: 'sip:agent@pbx.example.com' })).rejects.toMatchObject({
      code: 'CALL_NOT_ACTIVE',
    });
    next = { status: 503, body: { code: 20003 } };
    await expect(leg.transfer({ target: 'client:alice' })).rejects.toMatchObject({
      code: 'TRANSFER_FAILED',
      retryable: true,
    });
    next = { status: 200, body: {}, delayMs: 1000 };
    await expect(leg.transfer({ target: 'queue:support' })).rejects.toMatchObject({
      code: 'TRANSFER_FAILED',
    });
    await expect(leg.transfer({ target: 'bogus' })).rejects.toMatchObject({ code: 'TRANSFER_FAILED' });
    expect(leg.active).toBe(true);
  });
});

describe('transferTwiml', () => {
  it('builds Dial/Sip/Client/Enqueue and escapes XML', () => {
    expect(transferTwiml('tel:+442071234567')).toContain('<Dial>+442071234567</Dial>');
    expect(transferTwiml('sip:agent@pbx;transport=tls')).toContain(
      '<Dial><Sip>sip:agent@pbx;transport=tls</Sip></Dial>',
    );
    expect(transferTwiml('client:a<b>')).toContain('<Client>a&#60;b&#62;</Client>');
    expect(transferTwiml('queue:sales')).toContain('<Enqueue>sales</Enqueue>');
    expect(() => transferTwiml('tel:12')).toThrow(/tel:\+<digits>/);
  });
});
