/**
 * One engine process running the dialer in real time on a campaign, with callees that answer
 * after a short ring and hang up after a short talk. Every originate is appended (synchronously,
 * so it survives SIGKILL) to a dial log as `attemptId e164 workerId`. Used by the crash and
 * two-process tests. Exits 0 once the campaign has no pending or leased contact.
 * Usage: node --import tsx dialer-worker.ts <sqlite:PATH | postgres:URL#SCHEMA> <campaignId> <workerId> <dialLog>
 */
import { appendFileSync } from 'node:fs';
import { PgCampaignStore } from '../../store/pg-store.ts';
import { SqliteCampaignStore } from '../../store/sqlite-store.ts';
import type { CampaignStore } from '../../store/types.ts';
import { realDialerClock } from '../clock.ts';
import { Dialer } from '../dialer.ts';
import { VirtualCarrier, waitForHangup } from './virtual-carrier.ts';

const [target, campaignId, workerId, dialLog] = process.argv.slice(2);
if (!target || !campaignId || !workerId || !dialLog) {
  process.stderr.write(
    'usage: dialer-worker.ts <sqlite:PATH | postgres:URL#SCHEMA> <campaignId> <workerId> <dialLog>\n',
  );
  process.exit(2);
}

async function open(t: string): Promise<CampaignStore> {
  if (t.startsWith('sqlite:')) return SqliteCampaignStore.open(t.slice('sqlite:'.length));
  const [url, schema] = t.slice('postgres:'.length).split('#');
  return PgCampaignStore.open({ connectionString: url!, schema, maxConnections: 4 });
}

const store = await open(target);
const clock = realDialerClock;
const carrier = new VirtualCarrier(clock, (to) => ({
  kind: 'answer',
  ringMs: 20 + (Number(to.slice(-2)) % 5) * 10,
  talkMs: 60 + (Number(to.slice(-3)) % 7) * 20,
}));
const logged: typeof carrier = Object.assign(Object.create(carrier), {
  originate: (req: Parameters<typeof carrier.originate>[0]) => {
    appendFileSync(dialLog, `${req.attemptId} ${req.to} ${workerId}\n`);
    return carrier.originate(req);
  },
});
const dialer = new Dialer({
  store,
  campaignId,
  workerId,
  carrier: logged,
  clock,
  leaseMs: 1500,
  tickMs: 20,
  idleMaxMs: 100,
  exitWhenDone: true,
  runCall: async (leg, ctx) => {
    await waitForHangup(leg, clock, 5000, ctx.signal);
    return { disposition: 'answered', transcriptRef: `t/${ctx.attemptId}` };
  },
});
const summary = await dialer.run();
await store.close();
process.stdout.write(`${JSON.stringify({ workerId, ...summary })}\n`);
