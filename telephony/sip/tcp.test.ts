import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { HangupEvent } from '../call-leg.ts';
import { StreamFramer } from './stream-framer.ts';
import { requireBinary, runSipp, sippScenario } from './testing/peers.ts';
import { SipUserAgent } from './user-agent.ts';

requireBinary('sipp', 'sip-tester');
const dir = mkdtempSync(join(tmpdir(), 'voicebot-sipp-tcp-'));
let ua: SipUserAgent;
afterEach(async () => ua?.close());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SIP over TCP', () => {
  it('frames a byte stream by Content-Length, across chunk boundaries, skipping CRLF keep-alives', () => {
    const f = new StreamFramer(1000);
    const msg = 'OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 3\r\n\r\nabc';
    const data = Buffer.from(`\r\n\r\n${msg}${msg}`);
    const out = [
      ...f.push(data.subarray(0, 20)),
      ...f.push(data.subarray(20, 50)),
      ...f.push(data.subarray(50)),
    ];
    expect(out.map((b) => b.toString())).toEqual([msg, msg]);
    expect(() => new StreamFramer(1000).push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\n\r\n'))).toThrow(
      /Content-Length/,
    );
    expect(() => new StreamFramer(100).push(Buffer.alloc(200, 65))).toThrow(/no end of headers/);
  });

  it('sipp calls over TCP (-t t1): re-INVITE hold/unhold and its BYE', async () => {
    ua = await SipUserAgent.start({ port: 0 });
    const ended = new Promise<HangupEvent>((resolve) => {
      ua.onCall = (leg) => {
        leg.once('hangup', resolve);
      };
    });
    const run = await runSipp(
      [
        '-sf',
        sippScenario('uac-hold.xml'),
        `127.0.0.1:${ua.endpoint.port}`,
        '-t',
        't1',
        '-i',
        '127.0.0.1',
        '-p',
        '0',
        '-mp',
        '0',
        '-m',
        '1',
      ],
      { cwd: dir, timeoutMs: 10_000 },
    );
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect((await ended).reason).toBe('caller');
    expect(ua.ports.inUse).toBe(0);
  });

  it('the bot hangs up a TCP call: BYE goes over the same connection', async () => {
    ua = await SipUserAgent.start({ port: 0 });
    ua.onCall = (leg) => {
      setTimeout(() => leg.hangup('done'), 200);
    };
    const run = await runSipp(
      [
        '-sf',
        sippScenario('uac-bot-hangs-up.xml'),
        `127.0.0.1:${ua.endpoint.port}`,
        '-t',
        't1',
        '-i',
        '127.0.0.1',
        '-p',
        '0',
        '-mp',
        '0',
        '-m',
        '1',
      ],
      { cwd: dir, timeoutMs: 10_000 },
    );
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(ua.ports.inUse).toBe(0);
  });
});
