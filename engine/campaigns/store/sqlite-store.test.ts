import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { storeConformance } from './conformance.ts';
import { LEGACY_COUNTS, LEGACY_RESULTS } from './conformance-abandon.ts';
import { SQLITE_MIGRATIONS } from './migrations.ts';
import { SqliteCampaignStore } from './sqlite-store.ts';

storeConformance('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'voicebot-store-'));
  const path = join(dir, 'campaigns.db');
  return {
    open: () => SqliteCampaignStore.open(path),
    destroy: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

it('sqlite: an unopenable path fails with STORE_UNAVAILABLE', async () => {
  await expect(SqliteCampaignStore.open('/nonexistent-dir/x/campaigns.db')).rejects.toMatchObject({
    code: 'STORE_UNAVAILABLE',
  });
});

it('sqlite: migration 2 marks the live answers among results recorded before it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'voicebot-store-'));
  try {
    const path = join(dir, 'old.db');
    const db = new Database(path);
    db.exec(SQLITE_MIGRATIONS[0]!.sql);
    db.exec(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
    );
    db.prepare("INSERT INTO schema_migrations VALUES (1, 'v1', 0)").run();
    db.prepare("INSERT INTO campaigns VALUES ('old', '{}', 'running', 0)").run();
    db.prepare(
      "INSERT INTO contacts (id, campaign_id, e164, zones, variables, next_attempt_at) VALUES (1, 'old', '+12125550100', '[]', '{}', 0)",
    ).run();
    const insert = db.prepare(
      `INSERT INTO attempts (id, campaign_id, contact_id, e164, worker_id, attempt_no, started_at, ended_at, disposition, data)
       VALUES (?, 'old', 1, '+12125550100', 'w', ?, 0, 1000, ?, ?)`,
    );
    LEGACY_RESULTS.forEach((r, i) => {
      insert.run(`a${i}`, i + 1, r.disposition, r.data === null ? null : JSON.stringify(r.data));
    });
    db.close();
    const store = await SqliteCampaignStore.open(path);
    expect(await store.appliedMigrations()).toEqual([1, 2]);
    expect(await store.abandonCounts('old', 0)).toEqual(LEGACY_COUNTS);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
