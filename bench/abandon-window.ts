/**
 * Abandon-window read cost: a campaign with --results results (default 1,000,000; 20% answered,
 * 10% abandoned, 70% no answer, spread over 29 days, two workers) on a SQLite file and on
 * PostgreSQL (DATABASE_URL, a fresh schema), then the dialer's two window reads timed (median
 * of 5): every process over 30 days (the US period) and one worker over the last day. The
 * dialer makes both every 10 s. Rows go in by plain SQL, so the setup takes seconds, not hours.
 * Ends with a JSON line. Not part of the test suite.
 *
 *   node --import tsx bench/abandon-window.ts [--results 1000000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { PgCampaignStore } from '../engine/campaigns/store/pg-store.ts';
import { SqliteCampaignStore } from '../engine/campaigns/store/sqlite-store.ts';
import { DATABASE_URL, freshSchemaName } from '../engine/campaigns/store/testing/pg-harness.ts';
import type { CampaignStore } from '../engine/campaigns/store/types.ts';

const { values } = parseArgs({ options: { results: { type: 'string', default: '1000000' } } });
const n = Number(values.results);
const DAY = 86_400_000;
const now = Date.parse('2026-06-30T00:00:00Z');

async function median(f: () => Promise<unknown>, reps = 5): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await f();
    ms.push(performance.now() - t);
  }
  return ms.sort((a, b) => a - b)[Math.floor(reps / 2)]!;
}

async function reads(store: CampaignStore) {
  return {
    windowMs: await median(() => store.abandonCounts('c', now - 30 * DAY)),
    ownDayMs: await median(() => store.abandonCounts('c', now - DAY, 'w1')),
    counts: await store.abandonCounts('c', now - 30 * DAY),
  };
}

const CAMPAIGN = "INSERT INTO campaigns VALUES ('c', '{}', 'running', 0)";
const CONTACT =
  "INSERT INTO contacts (id, campaign_id, e164, zones, variables, next_attempt_at) VALUES (1, 'c', '+12125550100', '[]', '{}', 0)";

async function sqlite() {
  const dir = mkdtempSync(join(tmpdir(), 'vb-abandon-bench-'));
  try {
    const path = join(dir, 'w.db');
    await (await SqliteCampaignStore.open(path)).close();
    const db = new Database(path);
    db.prepare(CAMPAIGN).run();
    db.prepare(CONTACT).run();
    const insert = db.prepare(
      `INSERT INTO attempts (id, campaign_id, contact_id, e164, worker_id, attempt_no, started_at, ended_at,
         disposition, data, live_answer) VALUES (?, 'c', 1, '+12125550100', ?, ?, ?, ?, ?, '{}', ?)`,
    );
    db.transaction(() => {
      for (let i = 0; i < n; i++) {
        const end = now - Math.floor((i / n) * 29 * DAY);
        const r = i % 10;
        const d = r < 2 ? 'answered' : r === 2 ? 'abandoned' : 'no-answer';
        insert.run(`a${i}`, `w${i % 2}`, i + 1, end - 60_000, end, d, r < 3 ? 1 : 0);
      }
    })();
    db.exec('ANALYZE');
    db.close();
    const store = await SqliteCampaignStore.open(path);
    try {
      return await reads(store);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgres() {
  const schema = freshSchemaName('abandon_bench');
  const store = await PgCampaignStore.open({ connectionString: DATABASE_URL, schema });
  const c = new pg.Client({ connectionString: DATABASE_URL, options: `-c search_path=${schema}` });
  await c.connect();
  try {
    await c.query(CAMPAIGN);
    await c.query(CONTACT);
    await c.query(
      `INSERT INTO attempts (id, campaign_id, contact_id, e164, worker_id, attempt_no, started_at, ended_at,
         disposition, data, live_answer)
       SELECT 'a' || i, 'c', 1, '+12125550100', 'w' || (i % 2), i + 1, e - 60000, e,
              CASE WHEN i % 10 < 2 THEN 'answered' WHEN i % 10 = 2 THEN 'abandoned' ELSE 'no-answer' END,
              '{}', i % 10 < 3
       FROM (SELECT i, $1::bigint - floor(i::float8 / $2 * 29 * 86400000)::bigint AS e
             FROM generate_series(0, $2 - 1) i) t`,
      [now, n],
    );
    await c.query('VACUUM ANALYZE attempts'); // the steady state autovacuum keeps
    return await reads(store);
  } finally {
    await c.end();
    await store.dropSchema();
    await store.close();
  }
}

const result = {
  scenario: 'abandon-window',
  node: process.version,
  cpu: cpus()[0]?.model,
  cores: cpus().length,
  loadavg: loadavg()[0],
  results: n,
  sqlite: await sqlite(),
  postgres: await postgres(),
};
const ms = (x: number) => `${x.toFixed(1)} ms`;
for (const b of ['sqlite', 'postgres'] as const) {
  const r = result[b];
  console.log(
    `${b}: window of ${r.counts.liveAnswers} live answers / ${r.counts.abandoned} abandoned read in ${ms(r.windowMs)}; one worker's last day in ${ms(r.ownDayMs)}`,
  );
}
console.log(JSON.stringify(result));
