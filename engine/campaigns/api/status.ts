import { VoicebotError } from '../../errors.ts';
import type { CampaignStore } from '../store/types.ts';

/** A campaign's state and counts: contacts by status and by latest disposition. */
export async function campaignStatus(store: CampaignStore, id: string) {
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
  return {
    id,
    name: stored.campaign.name,
    status: stored.status,
    createdAt: new Date(stored.createdAtMs).toISOString(),
    contacts: counts,
    byDisposition,
  };
}
