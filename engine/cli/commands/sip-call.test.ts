import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freeUdpPort, requireBinary, sippTemplate, startSipp } from '../../../telephony/sip/testing/peers.ts';

requireBinary('sipp', 'sip-tester');
const BIN = join(import.meta.dirname, '../../../bin/voicebot.mjs');
let peer: ReturnType<typeof startSipp> | undefined;
afterEach(() => peer?.stop());

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, [BIN, 'sip-call', ...args], { timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

async function uas(args: string[]): Promise<number> {
  const port = await freeUdpPort();
  peer = startSipp(
    [...args, '-i', '127.0.0.1', '-p', String(port), '-mp', String(await freeUdpPort()), '-m', '1'],
    {
      timeoutMs: 25_000,
    },
  );
  return port;
}

describe('voicebot sip-call', () => {
  it('calls sipp uas, plays a tone, hangs up after --hold-ms and prints answered', async () => {
    const port = await uas(['-sn', 'uas']);
    const run = await cli([`sip:+15550003333@127.0.0.1:${port}`, '--hold-ms', '800']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ disposition: 'answered', status: 200, earlyMedia: false });
    expect((await peer!.done).code).toBe(0);
  });

  it('prints busy and exits 1 on 486', async () => {
    const port = await uas([
      '-sf',
      sippTemplate('uas-reject.template.xml', { code: '486', reason: 'Busy Here' }),
    ]);
    const run = await cli([`sip:+15550003333@127.0.0.1:${port}`]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ disposition: 'busy', status: 486 });
  });
});
