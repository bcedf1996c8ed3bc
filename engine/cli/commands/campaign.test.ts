import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteCampaignStore } from '../../campaigns/store/sqlite-store.ts';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../../../bin/voicebot.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'vb-campaign-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const db = join(dir, 'v.db');
const cli = (...args: string[]) =>
  run(process.execPath, [bin, 'campaign', ...args, '--db', db], {
    timeout: 30_000,
    env: { ...process.env, DATABASE_URL: '' },
  });

describe('voicebot campaign', () => {
  it('create (import summary + reject report), status, pause/resume/stop, export; clear errors', async () => {
    writeFileSync(
      join(dir, 'c.yaml'),
      'id: rem\nname: Reminders\nscriptId: reminder\ncallerId: "+14155550100"\n',
    );
    writeFileSync(join(dir, 'c.csv'), 'phone,name\n(212) 555-1000,Ann\nnope,Bob\n+1 212 555 1001,Cy\n');
    const created = await cli('create', join(dir, 'c.yaml'), '--contacts', join(dir, 'c.csv'));
    expect(created.stdout).toContain('3 rows read, 2 imported, 1 rejected');
    const report = readFileSync(join(dir, 'rem-rejected.csv'), 'utf8');
    expect(report.trim().split('\n')).toEqual([
      'line,reason,detail,number',
      expect.stringMatching(/^3,bad_number,.*,nope$/),
    ]);

    expect((await cli('start', 'rem', '--help')).stdout).toContain('Usage: voicebot campaign');
    expect((await cli('pause', 'rem').catch((e) => e)).stderr).toContain(
      'cannot pause campaign "rem" while it is draft',
    );
    // Record one result as a dialer would, then read it back through status and export.
    const store = await SqliteCampaignStore.open(db);
    await store.setCampaignStatus('rem', 'running');
    const [claim] = await store.claimDue('rem', Date.now(), 1, 60_000, 'w');
    await store.recordResult(claim!.attemptId, {
      disposition: 'answered',
      endedAtMs: Date.now(),
      nextAttemptAtMs: null,
      countsAsAttempt: true,
      data: { answers: { confirmed: true }, transcriptRef: 't/1', recordingPath: '/rec/1.wav' },
    });
    await store.close();
    expect((await cli('pause', 'rem')).stdout).toContain('campaign rem: paused');
    expect((await cli('pause', 'rem')).stdout).toContain('paused (unchanged)');
    expect((await cli('resume', 'rem')).stdout).toContain('campaign rem: running');
    const status = (await cli('status', 'rem')).stdout;
    expect(status).toContain('2 total, 1 pending, 0 in call, 1 done');
    expect(status).toMatch(/answered\s+1\s+50\.0%/);
    expect(status).toContain('abandoned: 0.00% of 1 live answers since'); // the compliance period
    const csv = (await cli('export', 'rem')).stdout.trim().split('\n');
    expect(csv).toHaveLength(3);
    expect(csv[1]).toContain('+12125551000,done,answered,1,"{""confirmed"":true}",t/1,/rec/1.wav');
    const json = JSON.parse((await cli('export', 'rem', '--format', 'json')).stdout);
    expect(json[0]).toMatchObject({ disposition: 'answered', attempts: 1 });
    expect((await cli('stop', 'rem')).stdout).toContain('stopped');
    const missing = await cli('status', 'nope').catch((e) => e);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('CAMPAIGN_NOT_FOUND');
  }, 180_000); // eleven real CLI processes in a row: ~1 s each on an idle machine, ~5 s under CI load

  it('start refuses a transfer campaign whose queue no configured agent takes, before dialing', async () => {
    writeFileSync(
      join(dir, 'x.yaml'),
      'id: xfer\nname: Leads\nscriptId: sales-qualification\ncallerId: "+14155550100"\ntransfer: { queue: sales }\n',
    );
    writeFileSync(join(dir, 'x.csv'), 'phone,firstName\n(212) 555-1100,Ann\n');
    await cli('create', join(dir, 'x.yaml'), '--contacts', join(dir, 'x.csv'));
    writeFileSync(
      join(dir, 'agents.yaml'),
      'agents:\n  - { id: li, name: Li, target: "sip:li@pbx.example", queues: [support] }\n',
    );
    const refused = await cli('start', 'xfer', '--config', join(dir, 'agents.yaml')).catch((e) => e);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('CONFIG_INVALID');
    expect(refused.stderr).toContain('queue "sales" but no agent');
    expect((await cli('status', 'xfer')).stdout).toContain('draft'); // never started
  }, 60_000);
});
