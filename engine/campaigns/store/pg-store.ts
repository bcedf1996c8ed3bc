import pg from 'pg';
import { VoicebotError } from '../../errors.ts';
import type { CampaignInput, CampaignStatus } from '../model.ts';
import { isLiveAnswer } from './live-answer.ts';
import { PG_MIGRATIONS } from './migrations.ts';
import { pgClaimDue } from './pg-claim.ts';
import { campaignExists, campaignNotFound, parseCampaign, toAttempt, toCampaign, toContact } from './rows.ts';
import type {
  AbandonCounts,
  AddContactsResult,
  AttemptResult,
  AttemptRow,
  CampaignStore,
  Claim,
  ContactRow,
  ContactStatus,
  NewContact,
  RecordOutcome,
  StoredCampaign,
} from './types.ts';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

export interface PgStoreOptions {
  connectionString?: string;
  /** Schema holding the tables (created if missing); lets several engines or tests share one database. */
  schema?: string;
  maxConnections?: number;
}

/** Where the server is, without the password. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    return u.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

/**
 * The multi-node backend: PostgreSQL through a `pg` pool. Claims select due rows with
 * FOR UPDATE SKIP LOCKED inside one transaction, so concurrent workers in any number of
 * processes each get different contacts without waiting on one another.
 */
export class PgCampaignStore implements CampaignStore {
  readonly backend = 'postgres' as const;
  readonly schema: string;
  private readonly pool: pg.Pool;

  private constructor(pool: pg.Pool, schema: string) {
    this.pool = pool;
    this.schema = schema;
  }

  static async open(options: PgStoreOptions = {}): Promise<PgCampaignStore> {
    const url = options.connectionString ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
    const schema = options.schema ?? 'voicebot';
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
      throw new VoicebotError(
        'CONFIG_INVALID',
        `schema "${schema}" must be lowercase letters, digits and _`,
        {
          schema,
        },
      );
    }
    const pool = new pg.Pool({
      connectionString: url,
      max: options.maxConnections ?? 10,
      options: `-c search_path=${schema}`,
      connectionTimeoutMillis: 5000,
    });
    pool.on('error', () => {}); // idle client errors surface on the next query
    const store = new PgCampaignStore(pool, schema);
    try {
      await store.migrate();
    } catch (err) {
      await pool.end().catch(() => {});
      if (err instanceof VoicebotError) throw err;
      const e = err as NodeJS.ErrnoException;
      const unreachable =
        e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || /timeout|terminated/i.test(e.message);
      throw new VoicebotError(
        unreachable ? 'STORE_UNAVAILABLE' : 'STORE_FAILED',
        `PostgreSQL at ${redactUrl(url)}: ${e.message || e.code}`,
        { url: redactUrl(url) },
        { cause: err },
      );
    }
    return store;
  }

  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  async migrate(): Promise<number[]> {
    return this.tx(async (c) => {
      // One migrator per schema at a time, across processes.
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`voicebot-migrate:${this.schema}`]);
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      await c.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
      );
      const done = new Set(
        (await c.query('SELECT version FROM schema_migrations')).rows.map((r) => Number(r.version)),
      );
      const applied: number[] = [];
      for (const m of PG_MIGRATIONS) {
        if (done.has(m.version)) continue;
        await c.query(m.sql);
        await c.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          Date.now(),
        ]);
        applied.push(m.version);
      }
      return applied;
    });
  }

  async appliedMigrations(): Promise<number[]> {
    const r = await this.pool.query('SELECT version FROM schema_migrations ORDER BY version');
    return r.rows.map((x) => Number(x.version));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** Drops the schema and everything in it (tests). */
  async dropSchema(): Promise<void> {
    await this.pool.query(`DROP SCHEMA IF EXISTS ${this.schema} CASCADE`);
  }

  async createCampaign(input: CampaignInput, nowMs: number): Promise<StoredCampaign> {
    const campaign = parseCampaign(input);
    const r = await this.pool.query(
      'INSERT INTO campaigns (id, spec, status, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING',
      [campaign.id, JSON.stringify(input), 'draft', nowMs],
    );
    if (r.rowCount === 0) throw campaignExists(campaign.id);
    return { campaign, input, status: 'draft', createdAtMs: nowMs };
  }

  async getCampaign(id: string): Promise<StoredCampaign | null> {
    const r = await this.pool.query('SELECT * FROM campaigns WHERE id = $1', [id]);
    return r.rows[0] ? toCampaign(r.rows[0]) : null;
  }

  async listCampaigns(): Promise<StoredCampaign[]> {
    return (await this.pool.query('SELECT * FROM campaigns ORDER BY created_at, id')).rows.map(toCampaign);
  }

  async setCampaignStatus(id: string, status: CampaignStatus): Promise<void> {
    const r = await this.pool.query('UPDATE campaigns SET status = $1 WHERE id = $2', [status, id]);
    if (r.rowCount === 0) throw campaignNotFound(id);
  }

  async addContacts(
    campaignId: string,
    contacts: readonly NewContact[],
    nextAttemptAtMs: number,
  ): Promise<AddContactsResult> {
    return this.tx(async (c) => {
      if ((await c.query('SELECT 1 FROM campaigns WHERE id = $1', [campaignId])).rowCount === 0) {
        throw campaignNotFound(campaignId);
      }
      const result: AddContactsResult = { inserted: 0, duplicates: [] };
      if (contacts.length === 0) return result;
      // One statement per batch; numbers repeated inside the batch keep their first row.
      const r = await c.query(
        `INSERT INTO contacts (campaign_id, e164, zones, subdivision, variables, import_id, source_line, next_attempt_at)
         SELECT $1, t.e164, t.zones::jsonb, t.subdivision, t.variables::jsonb, t.import_id, t.source_line, $2
         FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[])
           WITH ORDINALITY AS t(e164, zones, subdivision, variables, import_id, source_line, ord)
         ORDER BY t.ord
         ON CONFLICT (campaign_id, e164) DO NOTHING
         RETURNING e164`,
        [
          campaignId,
          nextAttemptAtMs,
          contacts.map((x) => x.e164),
          contacts.map((x) => JSON.stringify(x.zones)),
          contacts.map((x) => x.subdivision),
          contacts.map((x) => JSON.stringify(x.variables)),
          contacts.map((x) => x.importId ?? null),
          contacts.map((x) => x.sourceLine ?? null),
        ],
      );
      result.inserted = r.rowCount ?? 0;
      const fresh = new Set(r.rows.map((x) => x.e164 as string));
      const dupIdx = contacts.flatMap((x, i) => (fresh.delete(x.e164) ? [] : [i]));
      if (dupIdx.length > 0) {
        const held = await c.query(
          'SELECT e164, import_id, source_line FROM contacts WHERE campaign_id = $1 AND e164 = ANY($2)',
          [campaignId, dupIdx.map((i) => contacts[i]!.e164)],
        );
        const byNumber = new Map(held.rows.map((x) => [x.e164 as string, x]));
        for (const index of dupIdx) {
          const e164 = contacts[index]!.e164;
          const h = byNumber.get(e164);
          result.duplicates.push({
            index,
            e164,
            importId: h?.import_id ?? null,
            sourceLine:
              h?.source_line === null || h?.source_line === undefined ? null : Number(h.source_line),
          });
        }
      }
      return result;
    });
  }

  async getContact(id: number): Promise<ContactRow | null> {
    const r = await this.pool.query('SELECT * FROM contacts WHERE id = $1', [id]);
    return r.rows[0] ? toContact(r.rows[0]) : null;
  }

  async listContacts(
    campaignId: string,
    options: { status?: ContactStatus; afterId?: number; limit?: number } = {},
  ): Promise<ContactRow[]> {
    const r = await this.pool.query(
      `SELECT * FROM contacts WHERE campaign_id = $1 AND id > $2 AND ($3::text IS NULL OR status = $3)
       ORDER BY id LIMIT $4`,
      [campaignId, options.afterId ?? 0, options.status ?? null, options.limit ?? 1000],
    );
    return r.rows.map(toContact);
  }

  async contactCounts(campaignId: string): Promise<Record<ContactStatus, number> & { total: number }> {
    const out = { pending: 0, leased: 0, done: 0, total: 0 };
    const r = await this.pool.query(
      'SELECT status, COUNT(*) AS n FROM contacts WHERE campaign_id = $1 GROUP BY status',
      [campaignId],
    );
    for (const row of r.rows) {
      out[row.status as ContactStatus] = Number(row.n);
      out.total += Number(row.n);
    }
    return out;
  }

  async addDnc(
    entries: readonly { e164: string; source: string; reason?: string | null }[],
    nowMs: number,
  ): Promise<number> {
    if (entries.length === 0) return 0;
    const r = await this.pool.query(
      `INSERT INTO dnc (e164, source, reason, added_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
       ON CONFLICT (e164) DO NOTHING`,
      [
        entries.map((e) => e.e164),
        entries.map((e) => e.source),
        entries.map((e) => e.reason ?? null),
        entries.map(() => nowMs),
      ],
    );
    return r.rowCount ?? 0;
  }

  async removeDnc(e164: string): Promise<boolean> {
    return ((await this.pool.query('DELETE FROM dnc WHERE e164 = $1', [e164])).rowCount ?? 0) === 1;
  }

  async dncMatches(e164s: readonly string[]): Promise<Set<string>> {
    if (e164s.length === 0) return new Set();
    const r = await this.pool.query('SELECT e164 FROM dnc WHERE e164 = ANY($1)', [e164s]);
    return new Set(r.rows.map((x) => x.e164 as string));
  }

  async dncCount(): Promise<number> {
    return Number((await this.pool.query('SELECT COUNT(*) AS n FROM dnc')).rows[0].n);
  }

  async claimDue(
    campaignId: string,
    nowMs: number,
    limit: number,
    leaseMs: number,
    workerId: string,
  ): Promise<Claim[]> {
    return this.tx((c) => pgClaimDue(c, { campaignId, nowMs, limit, leaseMs, workerId }));
  }

  async extendLease(attemptId: string, workerId: string, untilMs: number): Promise<boolean> {
    const r = await this.pool.query(
      `UPDATE contacts SET lease_until = $1 WHERE lease_attempt_id = $2 AND lease_owner = $3 AND status = 'leased'`,
      [untilMs, attemptId, workerId],
    );
    return r.rowCount === 1;
  }

  async recordResult(attemptId: string, result: AttemptResult): Promise<RecordOutcome> {
    return this.tx(async (c): Promise<RecordOutcome> => {
      const r = await c.query('SELECT * FROM attempts WHERE id = $1 FOR UPDATE', [attemptId]);
      if (!r.rows[0]) return { status: 'unknown_attempt' };
      const a = toAttempt(r.rows[0]);
      if (a.disposition === 'lease-expired') return { status: 'expired' };
      if (a.disposition !== null) return { status: 'duplicate', disposition: a.disposition };
      await c.query(
        `UPDATE attempts SET disposition = $1, ended_at = $2, counts_as_attempt = $3, data = $4, live_answer = $5
         WHERE id = $6`,
        [
          result.disposition,
          result.endedAtMs,
          result.countsAsAttempt,
          result.data === undefined ? null : JSON.stringify(result.data),
          isLiveAnswer(result.disposition, result.data),
          attemptId,
        ],
      );
      await c.query(
        `UPDATE contacts SET status = $1, next_attempt_at = $2, attempt_count = attempt_count + $3,
           last_disposition = $4, lease_owner = NULL, lease_until = NULL, lease_attempt_id = NULL
         WHERE id = $5 AND lease_attempt_id = $6`,
        [
          result.nextAttemptAtMs === null ? 'done' : 'pending',
          result.nextAttemptAtMs ?? result.endedAtMs,
          result.countsAsAttempt ? 1 : 0,
          result.disposition,
          a.contactId,
          attemptId,
        ],
      );
      if (result.disposition === 'opt-out') {
        await c.query(
          'INSERT INTO dnc (e164, source, reason, added_at) VALUES ($1, $2, $3, $4) ON CONFLICT (e164) DO NOTHING',
          [a.e164, `opt-out:${a.campaignId}`, 'callee opted out during a call', result.endedAtMs],
        );
      }
      return { status: 'recorded' };
    });
  }

  async listAttempts(contactId: number): Promise<AttemptRow[]> {
    const r = await this.pool.query(
      'SELECT * FROM attempts WHERE contact_id = $1 ORDER BY started_at, attempt_no',
      [contactId],
    );
    return r.rows.map(toAttempt);
  }

  async attemptsForNumber(e164: string, sinceMs: number): Promise<AttemptRow[]> {
    const r = await this.pool.query(
      'SELECT * FROM attempts WHERE e164 = $1 AND started_at >= $2 ORDER BY started_at',
      [e164, sinceMs],
    );
    return r.rows.map(toAttempt);
  }

  async abandonCounts(campaignId: string, sinceMs: number, workerId?: string): Promise<AbandonCounts> {
    const r = await this.pool.query(
      // Abandoned calls are live answers too: the partial index attempts_live covers it all.
      `SELECT COUNT(*) AS live, COUNT(*) FILTER (WHERE disposition = 'abandoned') AS abandoned
       FROM attempts
       WHERE campaign_id = $1 AND live_answer AND ended_at >= $2 AND ($3::text IS NULL OR worker_id = $3)`,
      [campaignId, sinceMs, workerId ?? null],
    );
    return { liveAnswers: Number(r.rows[0].live), abandoned: Number(r.rows[0].abandoned) };
  }

  async notDialedReasons(campaignId: string): Promise<Record<string, number>> {
    const r = await this.pool.query(
      `SELECT COALESCE(a.data->>'reason', 'unknown') AS reason, COUNT(*) AS n
       FROM contacts c JOIN attempts a ON a.contact_id = c.id
       WHERE c.campaign_id = $1 AND c.last_disposition = 'not-dialed' AND a.disposition = 'not-dialed'
         AND a.attempt_no = (SELECT MAX(x.attempt_no) FROM attempts x WHERE x.contact_id = c.id)
       GROUP BY 1 ORDER BY 1`,
      [campaignId],
    );
    return Object.fromEntries(r.rows.map((x) => [String(x.reason), Number(x.n)]));
  }
}
