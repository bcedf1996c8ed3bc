import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { campaignInput, contact, storeConformance } from './conformance.ts';
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
      expect(await a.appliedMigrations()).toEqual([1]);
      await Promise.all([a.close(), b.close()]);
    } finally {
      await h.destroy();
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
