import Database from 'better-sqlite3';
import { VoicebotError } from '../../errors.ts';
import type { CampaignInput, CampaignStatus } from '../model.ts';
import { isLiveAnswer } from './live-answer.ts';
import { SQLITE_MIGRATIONS } from './migrations.ts';
import { campaignExists, campaignNotFound, parseCampaign, toAttempt, toCampaign, toContact } from './rows.ts';
import { sqliteClaimDue } from './sqlite-claim.ts';
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

type Row = Record<string, unknown>;

/**
 * The embedded backend (the default): one SQLite file in WAL mode. Claims run in one
 * IMMEDIATE transaction, which takes the write lock up front, so two processes on the same
 * file serialise their claims instead of reading the same due rows.
 */
export class SqliteCampaignStore implements CampaignStore {
  readonly backend = 'sqlite' as const;
  private readonly db: Database.Database;

  private constructor(db: Database.Database) {
    this.db = db;
  }

  /** Opens (creating if needed) the file and applies migrations. */
  static async open(path: string): Promise<SqliteCampaignStore> {
    let db: Database.Database;
    try {
      db = new Database(path);
    } catch (err) {
      throw new VoicebotError(
        'STORE_UNAVAILABLE',
        `cannot open SQLite database ${path}: ${(err as Error).message}`,
        {
          path,
        },
        { cause: err },
      );
    }
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const store = new SqliteCampaignStore(db);
    await store.migrate();
    return store;
  }

  async migrate(): Promise<number[]> {
    const applied: number[] = [];
    this.db
      .transaction(() => {
        this.db.exec(
          'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
        );
        const done = new Set(
          (this.db.prepare('SELECT version FROM schema_migrations').all() as Row[]).map((r) =>
            Number(r.version),
          ),
        );
        for (const m of SQLITE_MIGRATIONS) {
          if (done.has(m.version)) continue;
          this.db.exec(m.sql);
          this.db
            .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
            .run(m.version, m.name, Date.now());
          applied.push(m.version);
        }
      })
      .immediate();
    return applied;
  }

  async appliedMigrations(): Promise<number[]> {
    return (this.db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as Row[]).map(
      (r) => Number(r.version),
    );
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  async createCampaign(input: CampaignInput, nowMs: number): Promise<StoredCampaign> {
    const campaign = parseCampaign(input);
    const r = this.db
      .prepare(
        'INSERT INTO campaigns (id, spec, status, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
      )
      .run(campaign.id, JSON.stringify(input), 'draft', nowMs);
    if (r.changes === 0) throw campaignExists(campaign.id);
    return { campaign, input, status: 'draft', createdAtMs: nowMs };
  }

  async getCampaign(id: string): Promise<StoredCampaign | null> {
    const row = this.db.prepare('SELECT * FROM campaigns WHERE id = ?').get(id) as Row | undefined;
    return row ? toCampaign(row) : null;
  }

  async listCampaigns(): Promise<StoredCampaign[]> {
    return (this.db.prepare('SELECT * FROM campaigns ORDER BY created_at, id').all() as Row[]).map(
      toCampaign,
    );
  }

  async setCampaignStatus(id: string, status: CampaignStatus): Promise<void> {
    const r = this.db.prepare('UPDATE campaigns SET status = ? WHERE id = ?').run(status, id);
    if (r.changes === 0) throw campaignNotFound(id);
  }

  async addContacts(
    campaignId: string,
    contacts: readonly NewContact[],
    nextAttemptAtMs: number,
  ): Promise<AddContactsResult> {
    const insert = this.db.prepare(
      `INSERT INTO contacts (campaign_id, e164, zones, subdivision, variables, import_id, source_line, next_attempt_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (campaign_id, e164) DO NOTHING`,
    );
    const existing = this.db.prepare(
      'SELECT import_id, source_line FROM contacts WHERE campaign_id = ? AND e164 = ?',
    );
    return this.db
      .transaction(() => {
        if (!this.db.prepare('SELECT 1 FROM campaigns WHERE id = ?').get(campaignId))
          throw campaignNotFound(campaignId);
        const result: AddContactsResult = { inserted: 0, duplicates: [] };
        contacts.forEach((c, index) => {
          const r = insert.run(
            campaignId,
            c.e164,
            JSON.stringify(c.zones),
            c.subdivision,
            JSON.stringify(c.variables),
            c.importId ?? null,
            c.sourceLine ?? null,
            nextAttemptAtMs,
          );
          if (r.changes === 1) result.inserted++;
          else {
            const e = existing.get(campaignId, c.e164) as Row;
            result.duplicates.push({
              index,
              e164: c.e164,
              importId: (e.import_id as string | null) ?? null,
              sourceLine: e.source_line === null ? null : Number(e.source_line),
            });
          }
        });
        return result;
      })
      .immediate();
  }

  async getContact(id: number): Promise<ContactRow | null> {
    const row = this.db.prepare('SELECT * FROM contacts WHERE id = ?').get(id) as Row | undefined;
    return row ? toContact(row) : null;
  }

  async listContacts(
    campaignId: string,
    options: { status?: ContactStatus; afterId?: number; limit?: number } = {},
  ): Promise<ContactRow[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM contacts WHERE campaign_id = ? AND id > ? AND (? IS NULL OR status = ?)
         ORDER BY id LIMIT ?`,
      )
      .all(
        campaignId,
        options.afterId ?? 0,
        options.status ?? null,
        options.status ?? null,
        options.limit ?? 1000,
      );
    return (rows as Row[]).map(toContact);
  }

  async contactCounts(campaignId: string): Promise<Record<ContactStatus, number> & { total: number }> {
    const out = { pending: 0, leased: 0, done: 0, total: 0 };
    const rows = this.db
      .prepare('SELECT status, COUNT(*) AS n FROM contacts WHERE campaign_id = ? GROUP BY status')
      .all(campaignId) as Row[];
    for (const r of rows) {
      out[r.status as ContactStatus] = Number(r.n);
      out.total += Number(r.n);
    }
    return out;
  }

  async addDnc(
    entries: readonly { e164: string; source: string; reason?: string | null }[],
    nowMs: number,
  ): Promise<number> {
    const insert = this.db.prepare(
      'INSERT INTO dnc (e164, source, reason, added_at) VALUES (?, ?, ?, ?) ON CONFLICT (e164) DO NOTHING',
    );
    return this.db
      .transaction(() => {
        let added = 0;
        for (const e of entries) added += insert.run(e.e164, e.source, e.reason ?? null, nowMs).changes;
        return added;
      })
      .immediate();
  }

  async removeDnc(e164: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM dnc WHERE e164 = ?').run(e164).changes === 1;
  }

  async dncMatches(e164s: readonly string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (let i = 0; i < e164s.length; i += 500) {
      const chunk = e164s.slice(i, i + 500);
      const rows = this.db
        .prepare(`SELECT e164 FROM dnc WHERE e164 IN (${chunk.map(() => '?').join(',')})`)
        .all(...chunk) as Row[];
      for (const r of rows) out.add(r.e164 as string);
    }
    return out;
  }

  async dncCount(): Promise<number> {
    return Number((this.db.prepare('SELECT COUNT(*) AS n FROM dnc').get() as Row).n);
  }

  async claimDue(
    campaignId: string,
    nowMs: number,
    limit: number,
    leaseMs: number,
    workerId: string,
  ): Promise<Claim[]> {
    return this.db
      .transaction(() => sqliteClaimDue(this.db, { campaignId, nowMs, limit, leaseMs, workerId }))
      .immediate();
  }

  async extendLease(attemptId: string, workerId: string, untilMs: number): Promise<boolean> {
    const r = this.db
      .prepare(
        `UPDATE contacts SET lease_until = ? WHERE lease_attempt_id = ? AND lease_owner = ? AND status = 'leased'`,
      )
      .run(untilMs, attemptId, workerId);
    return r.changes === 1;
  }

  async recordResult(attemptId: string, result: AttemptResult): Promise<RecordOutcome> {
    return this.db
      .transaction((): RecordOutcome => {
        const attempt = this.db.prepare('SELECT * FROM attempts WHERE id = ?').get(attemptId) as
          | Row
          | undefined;
        if (!attempt) return { status: 'unknown_attempt' };
        const a = toAttempt(attempt);
        if (a.disposition === 'lease-expired') return { status: 'expired' };
        if (a.disposition !== null) return { status: 'duplicate', disposition: a.disposition };
        this.db
          .prepare(
            `UPDATE attempts SET disposition = ?, ended_at = ?, counts_as_attempt = ?, data = ?, live_answer = ?
             WHERE id = ?`,
          )
          .run(
            result.disposition,
            result.endedAtMs,
            result.countsAsAttempt ? 1 : 0,
            result.data === undefined ? null : JSON.stringify(result.data),
            isLiveAnswer(result.disposition, result.data) ? 1 : 0,
            attemptId,
          );
        this.db
          .prepare(
            `UPDATE contacts SET status = ?, next_attempt_at = ?, attempt_count = attempt_count + ?,
               last_disposition = ?, lease_owner = NULL, lease_until = NULL, lease_attempt_id = NULL
             WHERE id = ? AND lease_attempt_id = ?`,
          )
          .run(
            result.nextAttemptAtMs === null ? 'done' : 'pending',
            result.nextAttemptAtMs ?? result.endedAtMs,
            result.countsAsAttempt ? 1 : 0,
            result.disposition,
            a.contactId,
            attemptId,
          );
        if (result.disposition === 'opt-out') {
          this.db
            .prepare(
              'INSERT INTO dnc (e164, source, reason, added_at) VALUES (?, ?, ?, ?) ON CONFLICT (e164) DO NOTHING',
            )
            .run(a.e164, `opt-out:${a.campaignId}`, 'callee opted out during a call', result.endedAtMs);
        }
        return { status: 'recorded' };
      })
      .immediate();
  }

  async listAttempts(contactId: number): Promise<AttemptRow[]> {
    return (
      this.db
        .prepare('SELECT * FROM attempts WHERE contact_id = ? ORDER BY started_at, attempt_no')
        .all(contactId) as Row[]
    ).map(toAttempt);
  }

  async attemptsForNumber(e164: string, sinceMs: number): Promise<AttemptRow[]> {
    return (
      this.db
        .prepare('SELECT * FROM attempts WHERE e164 = ? AND started_at >= ? ORDER BY started_at')
        .all(e164, sinceMs) as Row[]
    ).map(toAttempt);
  }

  async abandonCounts(campaignId: string, sinceMs: number, workerId?: string): Promise<AbandonCounts> {
    const row = this.db
      .prepare(
        // Abandoned calls are live answers too: the partial index attempts_live covers it all.
        `SELECT COUNT(*) AS live, COALESCE(SUM(disposition = 'abandoned'), 0) AS abandoned
         FROM attempts
         WHERE campaign_id = ? AND live_answer = 1 AND ended_at >= ? AND (? IS NULL OR worker_id = ?)`,
      )
      .get(campaignId, sinceMs, workerId ?? null, workerId ?? null) as Row;
    return { liveAnswers: Number(row.live), abandoned: Number(row.abandoned) };
  }

  async notDialedReasons(campaignId: string): Promise<Record<string, number>> {
    const rows = this.db
      .prepare(
        `SELECT COALESCE(json_extract(a.data, '$.reason'), 'unknown') AS reason, COUNT(*) AS n
         FROM contacts c JOIN attempts a ON a.contact_id = c.id
         WHERE c.campaign_id = ? AND c.last_disposition = 'not-dialed' AND a.disposition = 'not-dialed'
           AND a.attempt_no = (SELECT MAX(x.attempt_no) FROM attempts x WHERE x.contact_id = c.id)
         GROUP BY reason ORDER BY reason`,
      )
      .all(campaignId) as Row[];
    return Object.fromEntries(rows.map((r) => [String(r.reason), Number(r.n)]));
  }
}
