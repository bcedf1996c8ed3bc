import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { mintToken } from '../../../telephony/auth/hmac-token.ts';
import { Peer, twilioStart } from '../../../telephony/ws/testing/peer.ts';

const BIN = join(import.meta.dirname, '../../../bin/voicebot.mjs');
const SECRET = 'serve-test-secret-0123456789';

let child: ChildProcess | null = null;
afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = null;
});

/** Starts `voicebot serve` on a free port; resolves with the port from its "listening" log line. */
async function serve(
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<{ proc: ChildProcess; port: number; lines: Record<string, unknown>[] }> {
  const proc = spawn(process.execPath, [BIN, 'serve', '--host', '127.0.0.1', '--port', '0', ...args], {
    env: {
      ...process.env,
      VOICEBOT_TOKEN_SECRET: SECRET,
      VOICEBOT_AUTH_MODE: 'token',
      VOICEBOT_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  const lines: Record<string, unknown>[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('serve did not start')), 20_000);
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      lines.push(entry);
      if (entry.msg === 'voicebot listening') {
        clearTimeout(timer);
        resolve(entry.port as number);
      }
    });
    proc.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
  return { proc, port, lines };
}

describe('voicebot serve', () => {
  it('answers a Twilio call and on SIGTERM hangs it up (1001) and exits 0', async () => {
    const { proc, port, lines } = await serve();
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    const peer = await new Peer(`ws://127.0.0.1:${port}/twilio?token=${mintToken(SECRET)}`).open();
    peer.send(twilioStart());
    await peer.until((r) => r.text.some((m) => m.event === 'media'), 10_000);
    const exited = once(proc, 'exit');
    proc.kill('SIGTERM');
    expect((await peer.closed).code).toBe(1001);
    const [code] = await exited;
    expect(code).toBe(0);
    expect(lines.some((l) => l.msg === 'call ended' && l.reason === 'shutdown')).toBe(true);
    expect(lines.some((l) => l.msg === 'voicebot stopped')).toBe(true);
  });

  it("serves the config's agents on /agents, behind the admin token when one is set", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vb-serve-agents-'));
    try {
      const config = join(dir, 'voicebot.yaml');
      writeFileSync(
        config,
        'agents:\n  - { id: ann, name: Ann, target: "sip:ann@pbx.example", queues: [sales] }\n',
      );
      const admin = 'serve-admin-token-0123456789';
      const { proc, port } = await serve(['--config', config], {
        VOICEBOT_ADMIN_TOKEN: admin,
        VOICEBOT_DB: join(dir, 'v.db'),
        DATABASE_URL: '',
      });
      const base = `http://127.0.0.1:${port}/agents`;
      expect((await fetch(base)).status).toBe(401);
      const auth = { authorization: `Bearer ${admin}` };
      const list = (await (await fetch(base, { headers: auth })).json()) as {
        agents: { id: string; state: string; queues: string[] }[];
      };
      expect(list.agents).toMatchObject([{ id: 'ann', state: 'ready', queues: ['sales'] }]);
      const away = await fetch(`${base}/ann/state`, {
        method: 'PUT',
        headers: auth,
        body: '{"state":"away"}',
      });
      expect(await away.json()).toMatchObject({ id: 'ann', state: 'away', available: false });
      const exited = once(proc, 'exit');
      proc.kill('SIGTERM');
      expect((await exited)[0]).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
