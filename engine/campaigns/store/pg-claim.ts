import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { toContact } from './rows.ts';
import type { Claim, ClaimRequest } from './types.ts';

/**
 * PostgreSQL claims, inside the caller's transaction: due rows are selected FOR UPDATE SKIP
 * LOCKED, so concurrent workers in any number of processes each get different contacts
 * without waiting on one another. An expired lease's open attempt is closed as lease-expired.
 */
export async function pgClaimDue(c: pg.PoolClient, r: ClaimRequest): Promise<Claim[]> {
  const { campaignId, nowMs, limit, leaseMs, workerId } = r;
  const running = await c.query("SELECT 1 FROM campaigns WHERE id = $1 AND status = 'running'", [campaignId]);
  if (running.rowCount === 0) return [];
  const due = await c.query(
    `SELECT * FROM contacts c
       WHERE c.campaign_id = $1
         AND ((c.status = 'pending' AND c.next_attempt_at <= $2) OR (c.status = 'leased' AND c.lease_until <= $2))
         AND NOT EXISTS (SELECT 1 FROM dnc d WHERE d.e164 = c.e164)
       ORDER BY c.next_attempt_at, c.id
       LIMIT $3
       FOR UPDATE OF c SKIP LOCKED`,
    [campaignId, nowMs, limit],
  );
  const claims: Claim[] = [];
  for (const row of due.rows) {
    const ct = toContact(row);
    if (ct.status === 'leased' && row.lease_attempt_id) {
      const x = await c.query(
        `UPDATE attempts SET disposition = 'lease-expired', ended_at = $1, counts_as_attempt = TRUE
           WHERE id = $2 AND disposition IS NULL`,
        [nowMs, row.lease_attempt_id],
      );
      if (x.rowCount === 1) {
        ct.attemptCount++;
        ct.lastDisposition = 'lease-expired';
      }
    }
    const attemptId = randomUUID();
    const n = await c.query('SELECT COUNT(*) AS n FROM attempts WHERE contact_id = $1', [ct.id]);
    const attemptNo = Number(n.rows[0].n) + 1;
    await c.query(
      `INSERT INTO attempts (id, campaign_id, contact_id, e164, worker_id, attempt_no, started_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [attemptId, campaignId, ct.id, ct.e164, workerId, attemptNo, nowMs],
    );
    const until = nowMs + leaseMs;
    await c.query(
      `UPDATE contacts SET status = 'leased', lease_owner = $1, lease_until = $2, lease_attempt_id = $3,
           attempt_count = $4, last_disposition = $5 WHERE id = $6`,
      [workerId, until, attemptId, ct.attemptCount, ct.lastDisposition, ct.id],
    );
    claims.push({
      attemptId,
      attemptNo,
      leaseUntilMs: until,
      contact: { ...ct, status: 'leased', leaseOwner: workerId, leaseUntilMs: until },
    });
  }
  return claims;
}
