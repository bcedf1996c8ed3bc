import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../engine/config/schema.ts';
import { type Engine, startEngine } from '../../engine/engine.ts';
import { mintToken } from '../auth/hmac-token.ts';
import { twilioSignature } from '../auth/twilio-signature.ts';
import type { CallLeg } from '../call-leg.ts';
import { counterValue, expectRefusal, Peer, TEST_SECRET, testConfig, twilioStart } from './testing/peer.ts';

let engine: Engine | null = null;
afterEach(async () => {
  await engine?.close();
  engine = null;
});

async function start(overrides: Partial<ConfigInput> = {}, legs: CallLeg[] = []): Promise<Engine> {
  engine = await startEngine({ config: testConfig(overrides), handler: (leg) => void legs.push(leg) });
  return engine;
}

const ws = (e: Engine, path: string) => e.url.replace('http', 'ws') + path;

describe('gateway: upgrade refusals before the handshake', () => {
  it('401 with a JSON body when the credential is missing, bad or expired', async () => {
    const e = await start();
    const missing = await expectRefusal(ws(e, '/twilio'));
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ code: 'AUTH_MISSING' });
    expect(String(missing.body.hint)).toContain('token');

    const forged = await expectRefusal(ws(e, `/raw?token=${mintToken('some-other-secret-value')}`));
    expect(forged).toMatchObject({ status: 401, body: { code: 'AUTH_INVALID' } });

    const expired = mintToken(TEST_SECRET, { nowS: Math.floor(Date.now() / 1000) - 100, ttlS: 10 });
    expect(await expectRefusal(ws(e, `/raw?token=${expired}`))).toMatchObject({
      status: 401,
      body: { code: 'AUTH_EXPIRED' },
    });
    const reg = e.metrics.registry;
    expect(await counterValue(reg, 'voicebot_gateway_auth_failures_total', {})).toBe(3);
    expect(e.gateway.activeCalls()).toBe(0);
  });

  it('404 for unknown paths, 503 at maxCalls', async () => {
    const e = await start({ gateway: { maxCalls: 1 } });
    const token = mintToken(TEST_SECRET);
    expect(await expectRefusal(ws(e, `/nope?token=${token}`))).toMatchObject({
      status: 404,
      body: { code: 'WS_UNKNOWN_PATH' },
    });
    const first = await new Peer(ws(e, `/twilio?token=${token}`)).open();
    expect(await expectRefusal(ws(e, `/twilio?token=${token}`))).toMatchObject({
      status: 503,
      body: { code: 'WS_AT_CAPACITY' },
    });
    first.ws.close();
    await first.closed;
    await new Promise((r) => setTimeout(r, 20));
    const again = await new Peer(ws(e, `/twilio/?token=${token}`)).open();
    again.ws.close();
  });

  it('accepts a valid X-Twilio-Signature over ws(s)://Host/path, with or without a trailing slash', async () => {
    const e = await start({ auth: { mode: 'token-or-twilio', twilioAuthToken: 'twilio-auth-token' } });
    const host = new URL(e.url).host;
    for (const signed of [`wss://${host}/twilio`, `ws://${host}/twilio/`]) {
      const sig = twilioSignature('twilio-auth-token', signed, {});
      const peer = await new Peer(ws(e, '/twilio'), { headers: { 'X-Twilio-Signature': sig } }).open();
      peer.ws.close();
      await peer.closed;
    }
    const wrong = twilioSignature('another-token', `wss://${host}/twilio`, {});
    expect(await expectRefusal(ws(e, '/twilio'), { headers: { 'X-Twilio-Signature': wrong } })).toMatchObject(
      { status: 401, body: { code: 'AUTH_INVALID' } },
    );
    // The signature is Twilio's credential only: /raw needs a token.
    const sig = twilioSignature('twilio-auth-token', `wss://${host}/raw`, {});
    expect(await expectRefusal(ws(e, '/raw'), { headers: { 'X-Twilio-Signature': sig } })).toMatchObject({
      status: 401,
      body: { code: 'AUTH_MISSING' },
    });
  });

  it('signs against publicUrl when set (default port both ways)', async () => {
    const e = await start({
      publicUrl: 'https://bot.example.com',
      auth: { mode: 'twilio', twilioAuthToken: 'twilio-auth-token' },
    });
    for (const signed of ['wss://bot.example.com/twilio', 'wss://bot.example.com:443/twilio/']) {
      const sig = twilioSignature('twilio-auth-token', signed, {});
      const peer = await new Peer(ws(e, '/twilio'), { headers: { 'X-Twilio-Signature': sig } }).open();
      peer.ws.close();
    }
    const host = new URL(e.url).host;
    const local = twilioSignature('twilio-auth-token', `ws://${host}/twilio`, {});
    expect((await expectRefusal(ws(e, '/twilio'), { headers: { 'X-Twilio-Signature': local } })).status).toBe(
      401,
    );
    // mode twilio: tokens are not accepted.
    expect((await expectRefusal(ws(e, `/twilio?token=${mintToken(TEST_SECRET)}`))).status).toBe(401);
  });
});

describe('gateway: raw subprotocols and metadata', () => {
  it('echoes the offered subprotocol and builds CallInfo from the metadata', async () => {
    const legs: CallLeg[] = [];
    const e = await start({}, legs);
    const token = mintToken(TEST_SECRET);
    for (const proto of ['audio.jambonz.org', 'audio.drachtio.org', 'voicebot.raw.v1']) {
      const peer = await new Peer(ws(e, `/raw?token=${token}`), { protocols: [proto] }).open();
      expect(peer.ws.protocol).toBe(proto);
      peer.send({
        callSid: `c-${proto}`,
        from: '+15550001',
        to: '+15550002',
        sampleRate: 16000,
        tenant: 'acme',
      });
      await new Promise((r) => setTimeout(r, 30));
      peer.ws.close();
      await peer.closed;
    }
    expect(legs.map((l) => l.info.providerCallId)).toEqual([
      'c-audio.jambonz.org',
      'c-audio.drachtio.org',
      'c-voicebot.raw.v1',
    ]);
    expect(legs[0]!.info).toMatchObject({
      transport: 'raw',
      from: '+15550001',
      to: '+15550002',
      sampleRate: 16000,
      direction: 'inbound',
      parameters: { tenant: 'acme' },
    });
    expect(legs.every((l) => !l.active)).toBe(true);
  });

  it('answers no subprotocol on /twilio and accepts raw without one', async () => {
    const e = await start();
    const token = mintToken(TEST_SECRET);
    const raw = await new Peer(ws(e, `/raw?token=${token}`)).open();
    expect(raw.ws.protocol).toBe('');
    raw.ws.close();
    const twilio = await new Peer(ws(e, `/twilio?token=${token}`)).open();
    twilio.send(twilioStart());
    twilio.ws.close();
    await twilio.closed;
  });
});

describe('gateway: heartbeat', () => {
  it('drops a silent peer that stops answering pings; a quiet peer that answers stays', async () => {
    const legs: CallLeg[] = [];
    const e = await start({ gateway: { pingIntervalMs: 100 } }, legs);
    const token = mintToken(TEST_SECRET);
    const quiet = await new Peer(ws(e, `/raw?token=${token}`)).open();
    quiet.send({ sampleRate: 8000, callSid: 'quiet' });
    const dead = await new Peer(ws(e, `/raw?token=${token}`), { autoPong: false }).open();
    dead.send({ sampleRate: 8000, callSid: 'dead' });
    const closed = await dead.closed;
    expect(closed.code).toBe(1006);
    await new Promise((r) => setTimeout(r, 250));
    expect(quiet.ws.readyState).toBe(quiet.ws.OPEN);
    const byId = (id: string) => legs.find((l) => l.info.providerCallId === id)!;
    expect(byId('dead').active).toBe(false);
    expect(byId('quiet').active).toBe(true);
  });
});

describe('gateway: idle calls cost no pacer work', () => {
  it('runs the pacer only while some call has audio queued', async () => {
    const legs: CallLeg[] = [];
    const e = await start({}, legs);
    const token = mintToken(TEST_SECRET);
    const peers = await Promise.all(
      Array.from({ length: 50 }, () => new Peer(ws(e, `/raw?token=${token}`)).open()),
    );
    for (const [i, p] of peers.entries()) p.send({ sampleRate: 8000, callSid: `idle-${i}` });
    const deadline = Date.now() + 3000;
    while (e.gateway.activeCalls() < 50 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(e.gateway.activeCalls()).toBe(50);
    await new Promise((r) => setTimeout(r, 200));
    const slots = async () => {
      const h = await e.metrics.sendLateness.get();
      return h.values.find((v) => v.metricName === 'voicebot_media_send_lateness_seconds_count')?.value ?? 0;
    };
    expect(await slots()).toBe(0);
    legs[0]!.sendAudio({ samples: new Int16Array(800), sampleRate: 8000, timestampMs: 0 });
    await peers[0]!.until((r) => r.binary.length === 5);
    const afterPlayback = await slots();
    // The first frame of an idle call goes out at once, the other four on pacer slots.
    expect(afterPlayback).toBeGreaterThanOrEqual(4);
    expect(afterPlayback).toBeLessThanOrEqual(7);
    await new Promise((r) => setTimeout(r, 200));
    expect(await slots()).toBe(afterPlayback);
    expect(e.gateway.calls()).toHaveLength(50);
  });
});
