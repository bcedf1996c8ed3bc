import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { campaignInput, contact } from '../store/conformance.ts';
import { PgCampaignStore } from '../store/pg-store.ts';
import { SqliteCampaignStore } from '../store/sqlite-store.ts';
import { DATABASE_URL, freshSchemaName, requirePostgres } from '../store/testing/pg-harness.ts';
import type { CampaignStore } from '../store/types.ts';

/** Real engine processes on one database: SIGKILL mid-campaign, and two dialers at once. */

const run = promisify(execFile);
const worker = fileURLToPath(new URL('./testing/dialer-worker.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'vb-dialer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ALWAYS: Parameters<typeof campaignInput>[1] = {
  window: { start: '00:00', end: '24:00', days: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
  calleeLimits: [{ maxAttempts: 10, periodMs: 86_400_000 }],
  retry: { 'lease-expired': { retry: true, backoffMs: 0, maxAttempts: 5 } },
  trunks: [{ name: 't', cps: 200, maxConcurrent: 6 }],
};

async function seed(store: CampaignStore, id: string, n: number): Promise<void> {
  const now = Date.now();
  await store.createCampaign(campaignInput(id, ALWAYS), now);
  await store.setCampaignStatus(id, 'running');
  await store.addContacts(
    id,
    Array.from({ length: n }, (_, i) => contact(`+1212555${String(1000 + i)}`, i + 2)),
    now - 1000,
  );
}

function dialLines(path: string): { attemptId: string; e164: string; worker: string }[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [attemptId, e164, w] = l.split(' ');
      return { attemptId: attemptId!, e164: e164!, worker: w! };
    });
}

/** Every contact done with exactly one result per attempt; redials only after an unrecorded attempt. */
async function checkExactlyOnce(
  store: CampaignStore,
  id: string,
  n: number,
  dials: ReturnType<typeof dialLines>,
) {
  expect(await store.contactCounts(id)).toEqual({ pending: 0, leased: 0, done: n, total: n });
  expect(new Set(dials.map((d) => d.attemptId)).size).toBe(dials.length); // an attempt dials once
  let redials = 0;
  for (const c of await store.listContacts(id, { limit: n })) {
    const attempts = await store.listAttempts(c.id);
    expect(attempts.every((a) => a.disposition !== null)).toBe(true);
    const recorded = attempts.filter((a) => a.disposition !== 'lease-expired');
    // Exactly one attempt with a real result, and it is the last one: nothing after it.
    expect(recorded.map((a) => a.disposition)).toEqual(['answered']);
    expect(attempts.at(-1)!.id).toBe(recorded[0]!.id);
    const dialed = dials.filter((d) => d.e164 === c.e164);
    expect(dialed.some((d) => d.attemptId === recorded[0]!.id)).toBe(true);
    redials += dialed.length - 1;
    for (const d of dialed) expect(attempts.some((a) => a.id === d.attemptId)).toBe(true);
  }
  return redials;
}

describe('dialer processes', () => {
  it('SIGKILL mid-campaign, restart: every contact ends with one result, none lost, no redial of a recorded attempt', async () => {
    const path = join(dir, 'crash.db');
    const log = join(dir, 'crash.log');
    const n = 60;
    const store = await SqliteCampaignStore.open(path);
    await seed(store, 'crash', n);
    const child: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', worker, `sqlite:${path}`, 'crash', 'w1', log],
      {
        stdio: 'ignore',
      },
    );
    const deadline = Date.now() + 30_000;
    while (dialLines(log).length < 15 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const before = await store.contactCounts('crash');
    expect(before.done).toBeGreaterThan(0);
    expect(before.done).toBeLessThan(n); // killed mid-campaign
    const out = await run(
      process.execPath,
      ['--import', 'tsx', worker, `sqlite:${path}`, 'crash', 'w2', log],
      {
        timeout: 45_000,
      },
    );
    expect(JSON.parse(out.stdout.trim())).toMatchObject({ finalStatus: 'done' });
    const dials = dialLines(log);
    const redials = await checkExactlyOnce(store, 'crash', n, dials);
    // Only calls cut off by the kill may be dialed again (at most the concurrency).
    expect(redials).toBeLessThanOrEqual(6);
    await store.close();
  }, 60_000);

  it('two dialer processes on one PostgreSQL: 0 double dials', async () => {
    await requirePostgres();
    const schema = freshSchemaName('dial2');
    const store = await PgCampaignStore.open({ connectionString: DATABASE_URL, schema });
    const log = join(dir, 'two.log');
    const n = 80;
    try {
      await seed(store, 'two', n);
      const target = `postgres:${DATABASE_URL}#${schema}`;
      const outs = await Promise.all(
        ['p1', 'p2'].map((w) =>
          run(process.execPath, ['--import', 'tsx', worker, target, 'two', w, log], { timeout: 50_000 }),
        ),
      );
      const dials = dialLines(log);
      expect(dials.length).toBe(n); // 0 double dials: every number dialed exactly once
      expect(new Set(dials.map((d) => d.e164)).size).toBe(n);
      expect(new Set(dials.map((d) => d.worker))).toEqual(new Set(['p1', 'p2'])); // both did work
      expect(await checkExactlyOnce(store, 'two', n, dials)).toBe(0);
      expect(outs.map((o) => JSON.parse(o.stdout.trim()).finalStatus)).toEqual(['done', 'done']);
    } finally {
      await store.dropSchema();
      await store.close();
    }
  }, 60_000);
});
