import { VoicebotError } from '../../errors.ts';
import { abandonRules } from '../compliance-profiles.ts';
import type { CampaignStore } from '../store/types.ts';

/**
 * A campaign's state and counts: contacts by status and by latest disposition, contacts whose
 * latest result is not-dialed by reason (`no_consent`...), and the abandon rate over the
 * compliance period (every engine process's results, read from the store).
 */
export async function campaignStatus(store: CampaignStore, id: string, nowMs = Date.now()) {
  const stored = await store.getCampaign(id);
  if (!stored)
    throw new VoicebotError('CAMPAIGN_NOT_FOUND', `no campaign with id "${id}"`, { campaignId: id });
  const counts = await store.contactCounts(id);
  const byDisposition: Record<string, number> = {};
  let afterId = 0;
  for (;;) {
    const page = await store.listContacts(id, { afterId, limit: 2000 });
    if (page.length === 0) break;
    for (const c of page) {
      const key = c.lastDisposition ?? 'not-called';
      byDisposition[key] = (byDisposition[key] ?? 0) + 1;
    }
    afterId = page[page.length - 1]!.id;
  }
  const rules = abandonRules(stored.campaign);
  const window = await store.abandonCounts(id, nowMs - rules.periodMs);
  return {
    id,
    name: stored.campaign.name,
    status: stored.status,
    purpose: stored.campaign.purpose,
    compliance: stored.campaign.compliance,
    createdAt: new Date(stored.createdAtMs).toISOString(),
    contacts: counts,
    byDisposition,
    notDialed: await store.notDialedReasons(id),
    abandon: {
      ...window,
      rate: window.liveAnswers === 0 ? 0 : window.abandoned / window.liveAnswers,
      maxRate: rules.maxRate,
      periodMs: rules.periodMs,
      since: new Date(nowMs - rules.periodMs).toISOString(),
    },
  };
}
