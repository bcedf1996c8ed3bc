import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { canCallNow, nextAllowedTime } from './schedule.ts';
import { scheduleContactOf } from './schedule-input.ts';
import { campaignInput } from './store/conformance.ts';
import { SqliteCampaignStore } from './store/sqlite-store.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

it('drives a Florida callee through claim, busy, retry and the 3-per-24-h limit on a real store', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'voicebot-sched-'));
  dirs.push(dir);
  const store = await SqliteCampaignStore.open(join(dir, 'c.db'));
  const stored = await store.createCampaign(
    campaignInput('fl', {
      compliance: 'US',
      calleeLimits: [],
      retry: { busy: { retry: true, backoffMs: 60_000, maxAttempts: 10 } },
    }),
    0,
  );
  const campaign = stored.campaign;
  await store.setCampaignStatus('fl', 'running');
  await store.addContacts(
    'fl',
    [{ e164: '+13055550117', zones: ['America/New_York'], subdivision: 'US-FL', variables: {} }],
    0,
  );
  let now = Date.parse('2026-06-10T13:00:00Z'); // 09:00 EDT
  const dialed: number[] = [];
  for (let round = 0; round < 4; round++) {
    const [claim] = await store.claimDue('fl', now, 1, 60_000, 'w1');
    if (!claim) break;
    const attempts = await store.listAttempts(claim.contact.id);
    const dnc = (await store.dncMatches([claim.contact.e164])).size > 0;
    const who = scheduleContactOf(claim.contact, attempts, dnc, claim.attemptId);
    const decision = canCallNow(who, campaign, now);
    if (decision.ok) dialed.push(now);
    const end = now + 20_000;
    const disposition = decision.ok ? ('busy' as const) : ('not-dialed' as const);
    const after = scheduleContactOf(
      claim.contact,
      [
        ...attempts.filter((a) => a.id !== claim.attemptId),
        { ...attempts.at(-1)!, disposition, endedAtMs: end },
      ],
      dnc,
    );
    const next = nextAllowedTime(after, campaign, end);
    await store.recordResult(claim.attemptId, {
      disposition,
      endedAtMs: end,
      nextAttemptAtMs: next,
      countsAsAttempt: campaign.retry[disposition].countsAsAttempt,
    });
    if (next === null) break;
    now = next;
  }
  // Three calls a minute apart, then Florida's 3 per 24 h holds the fourth until the next morning.
  expect(dialed.length).toBe(4);
  expect([dialed[1]! - dialed[0]!, dialed[2]! - dialed[1]!]).toEqual([80_000, 80_000]);
  expect(dialed[3]).toBe(dialed[0]! + 24 * 3_600_000);
  await store.close();
});
