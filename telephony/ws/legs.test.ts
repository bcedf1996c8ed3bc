import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../engine/config/schema.ts';
import { type Engine, startEngine } from '../../engine/engine.ts';
import { mintToken } from '../auth/hmac-token.ts';
import type { CallLeg, DtmfEvent, HangupEvent, MarkEvent } from '../call-leg.ts';
import { Peer, TEST_SECRET, testConfig, twilioStart } from './testing/peer.ts';
import { partyNumbers } from './twilio-call.ts';

/** Leg semantics on the wire: marks, clear, hang-up and transfer, per protocol. */

let engine: Engine | null = null;
afterEach(async () => {
  await engine?.close();
  engine = null;
});

interface Recorded {
  leg: CallLeg;
  marks: MarkEvent[];
  hangups: HangupEvent[];
  dtmf: DtmfEvent[];
}

async function start(gateway: ConfigInput['gateway'] = {}): Promise<{ e: Engine; calls: Recorded[] }> {
  const calls: Recorded[] = [];
  engine = await startEngine({
    config: testConfig({ gateway }),
    handler: (leg) => {
      const r: Recorded = { leg, marks: [], hangups: [], dtmf: [] };
      leg.on('mark', (m) => r.marks.push(m));
      leg.on('hangup', (h) => r.hangups.push(h));
      leg.on('dtmf', (d) => r.dtmf.push(d));
      calls.push(r);
    },
  });
  return { e: engine, calls };
}

const url = (e: Engine, path: string) =>
  `${e.url.replace('http', 'ws')}${path}?token=${mintToken(TEST_SECRET)}`;

async function waitFor(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const pcm = (ms: number, rate: 8000 | 16000, value = 100) => ({
  samples: new Int16Array((rate * ms) / 1000).fill(value),
  sampleRate: rate,
  timestampMs: 0,
});

describe('twilio leg', () => {
  it("takes the caller's and called numbers from the stream's from/to parameters", async () => {
    const { e, calls } = await start();
    const peer = await new Peer(url(e, '/twilio')).open();
    peer.send(
      twilioStart('MZn', 'CAn', { customParameters: { From: '+15005550006', to: ' +442071838750 ' } }),
    );
    await waitFor(() => calls.length === 1);
    expect(calls[0]!.leg.info).toMatchObject({ from: '+15005550006', to: '+442071838750' });
    expect(partyNumbers({ caller: '+1', Called: '' })).toEqual({ from: '+1' });
    expect(partyNumbers({ tenant: 'acme' })).toEqual({});
    peer.ws.close();
  });

  it('clear: sends clear, reports sent and queued marks not played at once, ignores late echoes', async () => {
    const { e, calls } = await start();
    const peer = await new Peer(url(e, '/twilio')).open();
    peer.send(twilioStart('MZc', 'CAc'));
    await waitFor(() => calls.length === 1);
    const { leg, marks } = calls[0]!;
    leg.sendAudio(pcm(60, 8000));
    leg.mark('a');
    leg.sendAudio(pcm(1000, 8000));
    leg.mark('b');
    await peer.until((r) => r.text.some((m) => m.event === 'mark'));
    expect(peer.events('mark')).toEqual([{ event: 'mark', streamSid: 'MZc', mark: { name: 'a' } }]);
    expect(marks).toEqual([]); // on the wire, not yet echoed
    leg.clear();
    expect(marks).toEqual([
      { name: 'a', played: false },
      { name: 'b', played: false },
    ]);
    expect(leg.queuedMs()).toBe(0);
    await peer.until((r) => r.text.some((m) => m.event === 'clear'));
    const mediaAtClear = peer.events('media').length;
    // Twilio echoes every outstanding mark after a clear: those echoes must not count as played.
    peer.send({ event: 'mark', streamSid: 'MZc', mark: { name: 'a' } });
    await new Promise((r) => setTimeout(r, 100));
    expect(marks).toHaveLength(2);
    expect(peer.events('media').length).toBe(mediaAtClear);
    expect(peer.events('clear')).toEqual([{ event: 'clear', streamSid: 'MZc' }]);
  });

  it('bot hang-up closes with 1000; transfer is refused with TRANSFER_UNSUPPORTED without a REST setup', async () => {
    const { e, calls } = await start();
    const peer = await new Peer(url(e, '/twilio')).open();
    peer.send(twilioStart());
    await waitFor(() => calls.length === 1);
    const { leg, hangups } = calls[0]!;
    await expect(leg.transfer({ target: 'tel:+15550100' })).rejects.toMatchObject({
      code: 'TRANSFER_UNSUPPORTED',
    });
    leg.hangup('goodbye');
    expect((await peer.closed).code).toBe(1000);
    expect(hangups).toEqual([{ reason: 'bot', detail: 'goodbye' }]);
  });
});

describe('raw leg', () => {
  async function rawCall(e: Engine, calls: Recorded[], rate: 8000 | 16000 = 16000) {
    const peer = await new Peer(url(e, '/raw'), { protocols: ['audio.jambonz.org'] }).open();
    peer.send({ callSid: 'r1', sampleRate: rate });
    await waitFor(() => calls.length === 1);
    return { peer, call: calls[0]! };
  }

  it('sends paced L16 frames, a mark message after them, killAudio on clear', async () => {
    const { e, calls } = await start();
    const { peer, call } = await rawCall(e, calls);
    call.leg.sendAudio(pcm(60, 16000, 1234));
    call.leg.mark('m1');
    await peer.until((r) => r.text.some((m) => m.type === 'mark'));
    expect(peer.received.binary).toHaveLength(3);
    for (const b of peer.received.binary) {
      expect(b.byteLength).toBe(640);
      expect(b.readInt16LE(100)).toBe(1234);
    }
    expect(peer.events('mark')).toEqual([{ type: 'mark', data: { name: 'm1' } }]);
    expect(call.marks).toEqual([{ name: 'm1', played: true }]);
    call.leg.sendAudio(pcm(1000, 16000));
    call.leg.mark('m2');
    call.leg.clear();
    await peer.until((r) => r.text.some((m) => m.type === 'killAudio'));
    expect(call.marks.at(-1)).toEqual({ name: 'm2', played: false });
  });

  it('delivers dtmf with its duration and a hangup message as a caller hang-up', async () => {
    const { e, calls } = await start();
    const { peer, call } = await rawCall(e, calls, 8000);
    peer.send({ event: 'dtmf', dtmf: '5', duration: 120 });
    peer.send({ event: 'hangup' });
    expect((await peer.closed).code).toBe(1000);
    expect(call.dtmf).toEqual([{ digit: '5', source: 'signal', durationMs: 120 }]);
    expect(call.hangups).toEqual([{ reason: 'caller', detail: 'hangup message' }]);
  });

  it('bot hang-up sends disconnect, then closes with 1000', async () => {
    const { e, calls } = await start();
    const { peer, call } = await rawCall(e, calls);
    call.leg.hangup();
    expect((await peer.closed).code).toBe(1000);
    expect(peer.events('disconnect')).toEqual([{ type: 'disconnect', data: { reason: 'bot' } }]);
  });

  it('transfer resolves when the platform confirms, then the call ends with reason transfer', async () => {
    const { e, calls } = await start();
    const { peer, call } = await rawCall(e, calls);
    const result = call.leg.transfer({
      target: 'sip:agent@pbx',
      reason: 'asked for a human',
      summary: 'order 42',
    });
    await peer.until((r) => r.text.some((m) => m.type === 'transfer'));
    expect(peer.events('transfer')).toEqual([
      {
        type: 'transfer',
        data: { target: 'sip:agent@pbx', reason: 'asked for a human', summary: 'order 42' },
      },
    ]);
    peer.send({ event: 'transferred', ok: true });
    await expect(result).resolves.toEqual({ ok: true });
    expect((await peer.closed).code).toBe(1000);
    expect(call.hangups).toEqual([{ reason: 'transfer' }]);
  });

  it('transfer fails with TRANSFER_FAILED on a refusal or no answer in time', async () => {
    const { e, calls } = await start({ transferTimeoutMs: 150 });
    const { peer, call } = await rawCall(e, calls);
    const refused = call.leg.transfer({ target: 'queue:sales' });
    await peer.until((r) => r.text.some((m) => m.type === 'transfer'));
    peer.send({ event: 'transferred', ok: false, detail: 'no agents' });
    await expect(refused).rejects.toMatchObject({ code: 'TRANSFER_FAILED', message: /no agents/ });
    const started = Date.now();
    await expect(call.leg.transfer({ target: 'queue:sales' })).rejects.toMatchObject({
      code: 'TRANSFER_FAILED',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(call.leg.active).toBe(true);
  });
});
