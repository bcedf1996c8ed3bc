/**
 * A dialer stand-in for the two-process test: claims due contacts from one campaign on
 * PostgreSQL in small batches until none are left, records a result for each, and prints the
 * contact ids it claimed as one JSON line.
 * Usage: node --import tsx claim-worker.ts <databaseUrl> <schema> <campaignId> <workerId> <nowMs>
 */
import { PgCampaignStore } from '../pg-store.ts';

const [url, schema, campaignId, workerId, nowArg] = process.argv.slice(2);
if (!url || !schema || !campaignId || !workerId || !nowArg) {
  process.stderr.write('usage: claim-worker.ts <databaseUrl> <schema> <campaignId> <workerId> <nowMs>\n');
  process.exit(2);
}
const nowMs = Number(nowArg);
const store = await PgCampaignStore.open({ connectionString: url, schema, maxConnections: 4 });
const claimed: number[] = [];
let empty = 0;
try {
  while (empty < 3) {
    const claims = await store.claimDue(campaignId, nowMs, 7, 600_000, workerId);
    if (claims.length === 0) {
      empty++;
      await new Promise((r) => setTimeout(r, 20));
      continue;
    }
    empty = 0;
    await Promise.all(
      claims.map(async (c) => {
        claimed.push(c.contact.id);
        const r = await store.recordResult(c.attemptId, {
          disposition: 'answered',
          endedAtMs: nowMs + 1,
          nextAttemptAtMs: null,
          countsAsAttempt: true,
          data: { workerId },
        });
        if (r.status !== 'recorded') throw new Error(`result for ${c.attemptId} was ${r.status}`);
      }),
    );
  }
} finally {
  await store.close();
}
process.stdout.write(`${JSON.stringify({ workerId, claimed })}\n`);
