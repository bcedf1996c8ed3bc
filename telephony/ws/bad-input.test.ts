import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { mulawEncode } from '../../engine/audio/g711.ts';
import type { ConfigInput } from '../../engine/config/schema.ts';
import { type Engine, startEngine } from '../../engine/engine.ts';
import { createRootLogger } from '../../engine/log/logger.ts';
import { mintToken } from '../auth/hmac-token.ts';
import type { CallHandler, CallLeg } from '../call-leg.ts';
import { counterValue, Peer, TEST_SECRET, testConfig, twilioMedia, twilioStart } from './testing/peer.ts';

/**
 * Every kind of bad input through a real socket: the close code (or that the socket stays
 * open), the protocol-error counter, one log line with code and callId but no payload, and a
 * second, well-behaved call on the same server that keeps working throughout.
 */

let engine: Engine | null = null;
let lines: Record<string, unknown>[] = [];
const legs: CallLeg[] = [];

afterEach(async () => {
  await engine?.close();
  engine = null;
  lines = [];
  legs.length = 0;
});

/** Echoes the caller's audio back; records legs. */
const echo: CallHandler = (leg) => {
  legs.push(leg);
  leg.on('audio', (frame) => leg.sendAudio(frame));
};

async function start(gateway: ConfigInput['gateway'] = {}, handler: CallHandler = echo): Promise<Engine> {
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  const log = createRootLogger({ level: 'info', destination: sink });
  engine = await startEngine({ config: testConfig({ gateway }), handler, log });
  return engine;
}

function url(e: Engine, path: string): string {
  return `${e.url.replace('http', 'ws')}${path}?token=${mintToken(TEST_SECRET)}`;
}

const FRAME = mulawEncode(new Int16Array(160).fill(2000));

/** A well-behaved Twilio call running alongside the bad one. */
async function goodCall(e: Engine): Promise<{ peer: Peer; check: () => Promise<void> }> {
  const peer = await new Peer(url(e, '/twilio')).open();
  peer.send({ event: 'connected', protocol: 'Call', version: '1.0.0' });
  peer.send(twilioStart('MZgood', 'CAgood'));
  let sent = 0;
  const timer = setInterval(() => {
    if (peer.ws.readyState === peer.ws.OPEN) peer.send(twilioMedia(FRAME, 'MZgood'));
    sent++;
  }, 20);
  return {
    peer,
    check: async () => {
      await peer.until((r) => r.text.filter((m) => m.event === 'media').length >= 5);
      clearInterval(timer);
      expect(sent).toBeGreaterThanOrEqual(5);
      expect(peer.ws.readyState).toBe(peer.ws.OPEN);
      const leg = legs.find((l) => l.info.providerCallId === 'CAgood');
      expect(leg?.active).toBe(true);
    },
  };
}

async function errors(e: Engine, code: string, transport: string): Promise<number> {
  return counterValue(e.metrics.registry, 'voicebot_gateway_protocol_errors_total', { code, transport });
}

const settle = (ms = 60) => new Promise((r) => setTimeout(r, ms));

function logLinesFor(code: string): Record<string, unknown>[] {
  return lines.filter((l) => l.code === code);
}

describe('twilio bad input', () => {
  it('malformed JSON is ignored; a run of them closes with 1007', async () => {
    const e = await start({ badMessageLimit: 5 });
    const good = await goodCall(e);
    const bad = await new Peer(url(e, '/twilio')).open();
    bad.send(twilioStart('MZbad', 'CAbad'));
    bad.send('{"event":"media",');
    bad.send(twilioMedia(FRAME, 'MZbad')); // a good message resets the run
    await settle();
    expect(bad.ws.readyState).toBe(bad.ws.OPEN);
    for (let i = 0; i < 5; i++) bad.send('not json {');
    const closed = await bad.closed;
    expect(closed.code).toBe(1007);
    expect(closed.reason).toContain('WS_BAD_JSON');
    expect(await errors(e, 'WS_BAD_JSON', 'twilio')).toBe(6);
    const logged = logLinesFor('WS_BAD_JSON');
    expect(logged[0]).toMatchObject({ level: 40, transport: 'twilio', action: 'ignored' });
    expect(typeof logged[0]!.callId).toBe('string');
    expect(logged.at(-1)).toMatchObject({ action: 'close', closeCode: 1007 });
    expect(JSON.stringify(lines)).not.toContain('not json {');
    await good.check();
  });

  it('unknown events and bad payloads are ignored and counted; the call goes on', async () => {
    const e = await start();
    const good = await goodCall(e);
    const heard: number[] = [];
    const bad = await new Peer(url(e, '/twilio')).open();
    bad.send(twilioStart('MZbad', 'CAbad'));
    await settle(30);
    legs.find((l) => l.info.providerCallId === 'CAbad')!.on('audio', (f) => heard.push(f.samples.length));
    bad.send({ event: 'hello', streamSid: 'MZbad' });
    bad.send(twilioMedia('!!!!', 'MZbad'));
    bad.send(twilioMedia('/w', 'MZbad'));
    bad.send({ event: 'dtmf', dtmf: { digit: 'Z' } });
    bad.send(twilioMedia(FRAME, 'MZbad'));
    await bad.until((r) => r.text.some((m) => m.event === 'media'));
    expect(heard).toEqual([160]);
    expect(bad.ws.readyState).toBe(bad.ws.OPEN);
    expect(await errors(e, 'WS_UNKNOWN_EVENT', 'twilio')).toBe(1);
    expect(await errors(e, 'WS_BAD_PAYLOAD', 'twilio')).toBe(3);
    expect(JSON.stringify(lines)).not.toContain('!!!!');
    await good.check();
  });

  it('media before start is ignored and counted', async () => {
    const e = await start();
    const bad = await new Peer(url(e, '/twilio')).open();
    bad.send(twilioMedia(FRAME));
    bad.send(twilioMedia(FRAME));
    await settle();
    expect(await errors(e, 'WS_MEDIA_BEFORE_START', 'twilio')).toBe(2);
    expect(logLinesFor('WS_MEDIA_BEFORE_START')).toHaveLength(1); // first one logged, not every one
    bad.send(twilioStart());
    bad.send(twilioMedia(FRAME));
    await bad.until((r) => r.text.some((m) => m.event === 'media'));
  });

  it('binary frames are ignored; a run of them closes with 1003', async () => {
    const e = await start({ badMessageLimit: 3 });
    const good = await goodCall(e);
    const bad = await new Peer(url(e, '/twilio')).open();
    bad.send(twilioStart('MZbad', 'CAbad'));
    bad.sendBinary(new Uint8Array(160));
    await settle();
    expect(bad.ws.readyState).toBe(bad.ws.OPEN);
    bad.sendBinary(new Uint8Array(160));
    bad.sendBinary(new Uint8Array(160));
    expect((await bad.closed).code).toBe(1003);
    expect(await errors(e, 'WS_BINARY_NOT_ALLOWED', 'twilio')).toBe(3);
    await good.check();
  });

  it('a start without callSid closes with 1008; a non-mu-law start with 1003', async () => {
    const e = await start();
    const good = await goodCall(e);
    const noSid = await new Peer(url(e, '/twilio')).open();
    const msg = twilioStart('MZx', 'CAx') as { start: Record<string, unknown> };
    delete msg.start.callSid;
    noSid.send(msg);
    const c1 = await noSid.closed;
    expect(c1.code).toBe(1008);
    expect(c1.reason).toContain('callSid');
    const wide = await new Peer(url(e, '/twilio')).open();
    wide.send(
      twilioStart('MZy', 'CAy', { mediaFormat: { encoding: 'audio/l16', sampleRate: 16000, channels: 1 } }),
    );
    expect((await wide.closed).code).toBe(1003);
    expect(await errors(e, 'WS_BAD_START', 'twilio')).toBe(1);
    expect(await errors(e, 'WS_UNSUPPORTED_MEDIA', 'twilio')).toBe(1);
    await good.check();
  });

  it('no start within startTimeoutMs closes with 1008', async () => {
    const e = await start({ startTimeoutMs: 150 });
    const idle = await new Peer(url(e, '/twilio')).open();
    idle.send({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    const closed = await idle.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toContain('WS_START_TIMEOUT');
    expect(await errors(e, 'WS_START_TIMEOUT', 'twilio')).toBe(1);
  });

  it('an oversized message closes with 1009', async () => {
    const e = await start({ maxMessageBytes: 2048 });
    const good = await goodCall(e);
    const bad = await new Peer(url(e, '/twilio')).open();
    bad.send(twilioStart('MZbad', 'CAbad'));
    bad.send(twilioMedia(new Uint8Array(4000), 'MZbad'));
    expect((await bad.closed).code).toBe(1009);
    await settle(30);
    expect(await errors(e, 'WS_MESSAGE_TOO_LARGE', 'twilio')).toBe(1);
    expect(legs.find((l) => l.info.providerCallId === 'CAbad')?.active).toBe(false);
    await good.check();
  });

  it('a flood is dropped, then closed with 1008; the other call keeps its timing', async () => {
    const e = await start({ maxMessagesPerSecond: 20 });
    const good = await goodCall(e);
    const bad = await new Peer(url(e, '/twilio')).open();
    bad.send(twilioStart('MZbad', 'CAbad'));
    for (let i = 0; i < 200; i++) bad.send(twilioMedia(FRAME, 'MZbad'));
    const closed = await bad.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toContain('WS_FLOOD');
    expect(await errors(e, 'WS_FLOOD', 'twilio')).toBeGreaterThan(20);
    // Logged once when it started and once at the close, not once per dropped message.
    expect(logLinesFor('WS_FLOOD').length).toBeLessThan(6);
    await good.check();
  });
});

describe('raw bad input', () => {
  const rawUrl = (e: Engine) => url(e, '/raw');

  it('binary before metadata, odd-length audio and non-JSON text are ignored and counted', async () => {
    const e = await start();
    const good = await goodCall(e);
    const bad = await new Peer(rawUrl(e), { protocols: ['audio.jambonz.org'] }).open();
    bad.sendBinary(new Uint8Array(320));
    bad.send({ sampleRate: 8000, callSid: 'rawbad' });
    bad.sendBinary(new Uint8Array(321));
    bad.send('this is not json');
    bad.send({ event: 'pause' });
    bad.sendBinary(new Uint8Array(320).fill(1));
    await bad.until((r) => r.binary.length > 0);
    expect(bad.ws.readyState).toBe(bad.ws.OPEN);
    expect(await errors(e, 'WS_MEDIA_BEFORE_START', 'raw')).toBe(1);
    expect(await errors(e, 'WS_BAD_PAYLOAD', 'raw')).toBe(1);
    expect(await errors(e, 'WS_BAD_JSON', 'raw')).toBe(1);
    expect(await errors(e, 'WS_UNKNOWN_EVENT', 'raw')).toBe(1);
    expect(bad.received.binary[0]!.byteLength).toBe(320);
    await good.check();
  });

  it('metadata without sampleRate closes with 1008, an unsupported rate with 1003', async () => {
    const e = await start();
    const a = await new Peer(rawUrl(e)).open();
    a.send({ callSid: 'x' });
    const ca = await a.closed;
    expect(ca.code).toBe(1008);
    expect(ca.reason).toContain('sampleRate');
    const b = await new Peer(rawUrl(e)).open();
    b.send({ sampleRate: 44100 });
    expect((await b.closed).code).toBe(1003);
  });

  it('a handler that throws ends only its own call (1011)', async () => {
    let n = 0;
    const e = await start({}, (leg) => {
      if (++n === 2) throw new Error('boom');
      echo(leg);
    });
    const good = await goodCall(e);
    await settle(30);
    const bad = await new Peer(rawUrl(e)).open();
    bad.send({ sampleRate: 8000 });
    const closed = await bad.closed;
    expect(closed.code).toBe(1011);
    expect(bad.events('disconnect')).toEqual([{ type: 'disconnect', data: { reason: 'error' } }]);
    await good.check();
  });

  it('a listener that throws is logged and the call continues', async () => {
    const e = await start({}, (leg) => {
      legs.push(leg);
      leg.on('audio', () => {
        throw new Error('listener bug');
      });
      leg.on('audio', (f) => leg.sendAudio(f));
    });
    const peer = await new Peer(rawUrl(e)).open();
    peer.send({ sampleRate: 16000 });
    peer.sendBinary(new Uint8Array(640));
    peer.sendBinary(new Uint8Array(640));
    await peer.until((r) => r.binary.length >= 1);
    expect(peer.ws.readyState).toBe(peer.ws.OPEN);
    expect(lines.some((l) => l.code === 'INTERNAL' && l.msg === 'call handler listener threw')).toBe(true);
  });
});

describe('broken framing', () => {
  it('text that is not UTF-8 is closed with 1007 and counted as WS_BAD_FRAME', async () => {
    const e = await start();
    const good = await goodCall(e);
    const bad = await new Peer(url(e, '/twilio')).open();
    bad.send(twilioStart('MZbad', 'CAbad'));
    bad.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect((await bad.closed).code).toBe(1007);
    await settle(30);
    expect(await errors(e, 'WS_BAD_FRAME', 'twilio')).toBe(1);
    expect(legs.find((l) => l.info.providerCallId === 'CAbad')?.active).toBe(false);
    await good.check();
  });
});

describe('peer-controlled text in close reasons', () => {
  it('a long multi-byte metadata key closes with 1008 without breaking the engine', async () => {
    const e = await start();
    const good = await goodCall(e);
    const bad = await new Peer(url(e, '/raw')).open();
    bad.send({ sampleRate: 8000, ['测'.repeat(50)]: 'x'.repeat(3000) });
    const closed = await bad.closed;
    expect(closed.code).toBe(1008);
    expect(Buffer.byteLength(closed.reason)).toBeLessThanOrEqual(123);
    await good.check();
  });
});
