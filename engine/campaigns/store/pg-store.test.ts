import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { campaignInput, contact, storeConformance } from './conformance.ts';
import { LEGACY_COUNTS, LEGACY_RESULTS } from './conformance-abandon.ts';
import { PG_MIGRATIONS } from './migrations.ts';
import { PgCampaignStore } from './pg-store.ts';
import { DATABASE_URL, freshSchemaName, pgHarness, requirePostgres } from './testing/pg-harness.ts';

const run = promisify(execFile);

beforeAll(requirePostgres);

storeConformance('postgres', async () => pgHarness('conf'));

describe('PgCampaignStore', () => {
  it('fails with STORE_UNAVAILABLE and the address when the server cannot be reached', async () => {
    const err = await PgCampaignStore.open({
      connectionString: 'postgres://postgres@127.0.0.1:1/none',
    }).catch((e) => e);
    expect(err).toMatchObject({ code: 'STORE_UNAVAILABLE', retryable: true });
    expect(err.message).toContain('127.0.0.1:1');
  });

  it('runs migrations once when two engines start on one schema at the same time', async () => {
    const h = pgHarness('mig');
    try {
      const [a, b] = await Promise.all([h.open(), h.open()]);
      expect(await a.appliedMigrations()).toEqual([1, 2]);
      await Promise.all([a.close(), b.close()]);
    } finally {
      await h.destroy();
    }
  });

  it('migration 2 marks the live answers among results recorded before it', async () => {
    const schema = freshSchemaName('legacy');
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA ${schema}`);
      await client.query(`SET search_path = ${schema}`);
      await client.query(PG_MIGRATIONS[0]!.sql);
      await client.query(
        'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
      );
      await client.query("INSERT INTO schema_migrations VALUES (1, 'v1', 0)");
      await client.query("INSERT INTO campaigns VALUES ('old', '{}', 'running', 0)");
      await client.query(
        "INSERT INTO contacts (id, campaign_id, e164, zones, variables, next_attempt_at) VALUES (1, 'old', '+12125550100', '[]', '{}', 0)",
      );
      for (const [i, r] of LEGACY_RESULTS.entries()) {
        await client.query(
          `INSERT INTO attempts (id, campaign_id, contact_id, e164, worker_id, attempt_no, started_at, ended_at, disposition, data)
           VALUES ($1, 'old', 1, '+12125550100', 'w', $2, 0, 1000, $3, $4)`,
          [`a${i}`, i + 1, r.disposition, r.data === null ? null : JSON.stringify(r.data)],
        );
      }
      const store = await PgCampaignStore.open({ connectionString: DATABASE_URL, schema });
      expect(await store.appliedMigrations()).toEqual([1, 2]);
      expect(await store.abandonCounts('old', 0)).toEqual(LEGACY_COUNTS);
      await store.close();
    } finally {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  });

  it('two processes claiming from one campaign never get the same contact', async () => {
    const schema = freshSchemaName('two');
    const store = await PgCampaignStore.open({ connectionString: DATABASE_URL, schema });
    try {
      const t0 = Date.parse('2026-06-10T14:00:00Z');
      await store.createCampaign(campaignInput('race'), t0);
      await store.setCampaignStatus('race', 'running');
      const n = 600;
      const all = Array.from({ length: n }, (_, i) =>
        contact(`+1212555${String(i).padStart(4, '0')}`, i + 2),
      );
      await store.addContacts('race', all, t0);
      const worker = fileURLToPath(new URL('./testing/claim-worker.ts', import.meta.url));
      const spawnWorker = (id: string) =>
        run(process.execPath, ['--import', 'tsx', worker, DATABASE_URL, schema, 'race', id, String(t0)], {
          timeout: 60_000,
        });
      const outs = await Promise.all([spawnWorker('p1'), spawnWorker('p2')]);
      const [a, b] = outs.map((o) => JSON.parse(o.stdout.trim()) as { claimed: number[] });
      const setA = new Set(a!.claimed);
      const both = b!.claimed.filter((id) => setA.has(id));
      expect(both).toEqual([]); // 0 contacts claimed twice
      expect(a!.claimed.length + b!.claimed.length).toBe(n);
      // Both processes did real work, and every contact has exactly one attempt with one result.
      expect(a!.claimed.length).toBeGreaterThan(0);
      expect(b!.claimed.length).toBeGreaterThan(0);
      expect(await store.contactCounts('race')).toEqual({ pending: 0, leased: 0, done: n, total: n });
      const contacts = await store.listContacts('race', { limit: n });
      for (const c of contacts.slice(0, 50)) {
        const attempts = await store.listAttempts(c.id);
        expect(attempts.map((x) => x.disposition)).toEqual(['answered']);
      }
    } finally {
      await store.dropSchema();
      await store.close();
    }
  }, 90_000);
});
