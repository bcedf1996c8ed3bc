import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { HangupEvent, TransferResult } from '../call-leg.ts';
import { requireBinary, runSipp, sippScenario } from './testing/peers.ts';
import { SipUserAgent } from './user-agent.ts';

// Real peer: sipp calls voicebot, accepts its REFER and reports progress with NOTIFY sipfrag.
requireBinary('sipp', 'sip-tester');

const dir = mkdtempSync(join(tmpdir(), 'voicebot-sipp-transfer-'));
let ua: SipUserAgent;
afterEach(async () => ua?.close());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function transferCall(scenario: string, target: string) {
  ua = await SipUserAgent.start({ port: 0 });
  const outcome = new Promise<{ result: TransferResult; hangup: Promise<HangupEvent> }>((resolve) => {
    ua.onCall = async (leg) => {
      const hangup = new Promise<HangupEvent>((r) => leg.once('hangup', r));
      await new Promise((r) => setTimeout(r, 200));
      const result = await leg.transfer({ target, reason: 'caller asked for an agent' });
      resolve({ result, hangup });
    };
  });
  const run = await runSipp(
    [
      '-sf',
      sippScenario(scenario),
      `127.0.0.1:${ua.endpoint.port}`,
      '-i',
      '127.0.0.1',
      '-p',
      '0',
      '-mp',
      '0',
      '-m',
      '1',
    ],
    { cwd: dir, timeoutMs: 15_000 },
  );
  return { run, ...(await outcome) };
}

describe('blind transfer with REFER against sipp', () => {
  it('REFER -> 202, NOTIFY 100 then 200: ok, then our BYE ends the leg with reason transfer', async () => {
    const { run, result, hangup } = await transferCall('uac-transfer.xml', 'sip:agent@127.0.0.1:5099');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(result).toEqual({ ok: true, detail: '200 OK' });
    expect(await hangup).toMatchObject({ reason: 'transfer' });
    expect(ua.ports.inUse).toBe(0);
  });

  it('a tel: target is sent as sip:<number>@<trunk host>', async () => {
    const { run, result } = await transferCall('uac-transfer.xml', 'tel:+44-20-7123-4567');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(result.ok).toBe(true);
  });

  it('NOTIFY with 486: the transfer fails, the call stays up until the caller hangs up', async () => {
    const { run, result, hangup } = await transferCall('uac-transfer-fail.xml', 'sip:agent@127.0.0.1:5099');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(result).toEqual({ ok: false, detail: '486 Busy Here' });
    expect(await hangup).toMatchObject({ reason: 'caller' });
    expect(ua.ports.inUse).toBe(0);
  });
});
