import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { toContact } from './rows.ts';
import type { Claim, ClaimRequest } from './types.ts';

type Row = Record<string, unknown>;

/**
 * SQLite claims, inside the caller's IMMEDIATE transaction (it takes the write lock up front,
 * so two processes on one file serialise their claims instead of reading the same due rows).
 * An expired lease's open attempt is closed as lease-expired.
 */
export function sqliteClaimDue(db: Database.Database, r: ClaimRequest): Claim[] {
  const { campaignId, nowMs, limit, leaseMs, workerId } = r;
  const running = db.prepare("SELECT 1 FROM campaigns WHERE id = ? AND status = 'running'").get(campaignId);
  if (!running) return [];
  const due = db
    .prepare(
      `SELECT * FROM contacts c
       WHERE c.campaign_id = ?
         AND ((c.status = 'pending' AND c.next_attempt_at <= ?) OR (c.status = 'leased' AND c.lease_until <= ?))
         AND NOT EXISTS (SELECT 1 FROM dnc d WHERE d.e164 = c.e164)
       ORDER BY c.next_attempt_at, c.id LIMIT ?`,
    )
    .all(campaignId, nowMs, nowMs, limit) as Row[];
  const expire = db.prepare(
    `UPDATE attempts SET disposition = 'lease-expired', ended_at = ?, counts_as_attempt = 1
     WHERE id = ? AND disposition IS NULL`,
  );
  const insert = db.prepare(
    `INSERT INTO attempts (id, campaign_id, contact_id, e164, worker_id, attempt_no, started_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const lease = db.prepare(
    `UPDATE contacts SET status = 'leased', lease_owner = ?, lease_until = ?, lease_attempt_id = ?,
       attempt_count = ?, last_disposition = ? WHERE id = ?`,
  );
  const claims: Claim[] = [];
  for (const row of due) {
    const c = toContact(row);
    if (c.status === 'leased' && row.lease_attempt_id) {
      if (expire.run(nowMs, row.lease_attempt_id).changes === 1) {
        c.attemptCount++;
        c.lastDisposition = 'lease-expired';
      }
    }
    const attemptId = randomUUID();
    const attemptNo = (db.prepare('SELECT COUNT(*) AS n FROM attempts WHERE contact_id = ?').get(c.id) as Row)
      .n as number;
    insert.run(attemptId, campaignId, c.id, c.e164, workerId, attemptNo + 1, nowMs);
    const until = nowMs + leaseMs;
    lease.run(workerId, until, attemptId, c.attemptCount, c.lastDisposition, c.id);
    claims.push({
      attemptId,
      attemptNo: attemptNo + 1,
      leaseUntilMs: until,
      contact: { ...c, status: 'leased', leaseOwner: workerId, leaseUntilMs: until },
    });
  }
  return claims;
}
