/**
 * Versioned schema migrations, one list per SQL dialect, applied in order and recorded in
 * schema_migrations. A migration is never edited once released: add a new version instead.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'campaigns, contacts, attempts, dnc',
    sql: `
      CREATE TABLE campaigns (
        id TEXT PRIMARY KEY,
        spec TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE contacts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        campaign_id TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
        e164 TEXT NOT NULL,
        zones TEXT NOT NULL,
        subdivision TEXT,
        variables TEXT NOT NULL,
        import_id TEXT,
        source_line INTEGER,
        status TEXT NOT NULL DEFAULT 'pending',
        next_attempt_at INTEGER NOT NULL,
        attempt_count INTEGER NOT NULL DEFAULT 0,
        last_disposition TEXT,
        lease_owner TEXT,
        lease_until INTEGER,
        lease_attempt_id TEXT,
        UNIQUE (campaign_id, e164)
      );
      CREATE INDEX contacts_due ON contacts (campaign_id, status, next_attempt_at);
      CREATE TABLE attempts (
        id TEXT PRIMARY KEY,
        campaign_id TEXT NOT NULL,
        contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        e164 TEXT NOT NULL,
        worker_id TEXT NOT NULL,
        attempt_no INTEGER NOT NULL,
        started_at INTEGER NOT NULL,
        ended_at INTEGER,
        disposition TEXT,
        counts_as_attempt INTEGER NOT NULL DEFAULT 1,
        data TEXT
      );
      CREATE INDEX attempts_contact ON attempts (contact_id);
      CREATE INDEX attempts_number ON attempts (e164, started_at);
      CREATE TABLE dnc (
        e164 TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        reason TEXT,
        added_at INTEGER NOT NULL
      );`,
  },
  {
    version: 2,
    name: 'attempts.live_answer and the abandon-window index (live answers only, covering)',
    // Results recorded before this version: live answers by the fallback rule of live-answer.ts.
    sql: `
      ALTER TABLE attempts ADD COLUMN live_answer INTEGER NOT NULL DEFAULT 0;
      UPDATE attempts SET live_answer = 1
        WHERE disposition = 'abandoned'
           OR (disposition IN ('answered', 'opt-out')
               AND COALESCE(json_extract(data, '$.answers.amd'), '') <> 'MACHINE');
      CREATE INDEX attempts_live ON attempts (campaign_id, ended_at, disposition, worker_id)
        WHERE live_answer = 1;`,
  },
];

export const PG_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'campaigns, contacts, attempts, dnc',
    sql: `
      CREATE TABLE campaigns (
        id TEXT PRIMARY KEY,
        spec JSONB NOT NULL,
        status TEXT NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE TABLE contacts (
        id BIGSERIAL PRIMARY KEY,
        campaign_id TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
        e164 TEXT NOT NULL,
        zones JSONB NOT NULL,
        subdivision TEXT,
        variables JSONB NOT NULL,
        import_id TEXT,
        source_line INTEGER,
        status TEXT NOT NULL DEFAULT 'pending',
        next_attempt_at BIGINT NOT NULL,
        attempt_count INTEGER NOT NULL DEFAULT 0,
        last_disposition TEXT,
        lease_owner TEXT,
        lease_until BIGINT,
        lease_attempt_id TEXT,
        UNIQUE (campaign_id, e164)
      );
      CREATE INDEX contacts_due ON contacts (campaign_id, status, next_attempt_at);
      CREATE TABLE attempts (
        id TEXT PRIMARY KEY,
        campaign_id TEXT NOT NULL,
        contact_id BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        e164 TEXT NOT NULL,
        worker_id TEXT NOT NULL,
        attempt_no INTEGER NOT NULL,
        started_at BIGINT NOT NULL,
        ended_at BIGINT,
        disposition TEXT,
        counts_as_attempt BOOLEAN NOT NULL DEFAULT TRUE,
        data JSONB
      );
      CREATE INDEX attempts_contact ON attempts (contact_id);
      CREATE INDEX attempts_number ON attempts (e164, started_at);
      CREATE TABLE dnc (
        e164 TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        reason TEXT,
        added_at BIGINT NOT NULL
      );`,
  },
  {
    version: 2,
    name: 'attempts.live_answer and the abandon-window index (live answers only, covering)',
    sql: `
      ALTER TABLE attempts ADD COLUMN live_answer BOOLEAN NOT NULL DEFAULT FALSE;
      UPDATE attempts SET live_answer = TRUE
        WHERE disposition = 'abandoned'
           OR (disposition IN ('answered', 'opt-out')
               AND COALESCE(data->'answers'->>'amd', '') <> 'MACHINE');
      CREATE INDEX attempts_live ON attempts (campaign_id, ended_at, disposition, worker_id)
        WHERE live_answer;`,
  },
];
