import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { StoreHarness } from '../conformance.ts';
import { DEFAULT_DATABASE_URL, PgCampaignStore } from '../pg-store.ts';

export const DATABASE_URL = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;

/** A schema name no other test run uses. */
export function freshSchemaName(tag: string): string {
  return `vb_${tag}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** Fails loudly (never skips) when the server cannot be reached. */
export async function requirePostgres(): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    throw new Error(
      `PostgreSQL is not reachable at ${DATABASE_URL.replace(/:[^:@/]*@/, ':***@')} (${(err as Error).message}). ` +
        'These tests need it: start the local server (scripts/setup.sh installs it) or point DATABASE_URL at one.',
    );
  } finally {
    await client.end().catch(() => {});
  }
}

/** A harness on a schema of its own, dropped afterwards. */
export function pgHarness(tag: string): StoreHarness {
  const schema = freshSchemaName(tag);
  return {
    open: () => PgCampaignStore.open({ connectionString: DATABASE_URL, schema }),
    destroy: async () => {
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
