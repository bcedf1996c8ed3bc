/**
 * The set-up of a test that dials a real campaign: a calling window open at every hour of every
 * day (so the test dials whenever it runs), contacts in New York with the given script
 * variables, and a store holding the campaign with its contacts, already running.
 */
import { type CampaignInput, WEEKDAYS } from '../../model.ts';
import type { CampaignStore, NewContact } from '../types.ts';

/** A calling window that is always open. */
export const ALWAYS_OPEN = {
  start: '00:00',
  end: '24:00',
  days: [...WEEKDAYS],
} satisfies CampaignInput['window'];

/** A contact in America/New_York with these script variables, imported as `imp-1` from no CSV line. */
export function newYorkContact(e164: string, variables: Record<string, string> = {}): NewContact {
  return {
    e164,
    zones: ['America/New_York'],
    subdivision: null,
    variables,
    importId: 'imp-1',
    sourceLine: null,
  };
}

/** Creates the campaign (`window` defaults to ALWAYS_OPEN), adds its contacts and sets it running, as of `atMs`. */
export async function seedRunningCampaign(
  store: CampaignStore,
  campaign: CampaignInput,
  contacts: readonly NewContact[],
  atMs: number,
): Promise<void> {
  await store.createCampaign({ window: ALWAYS_OPEN, ...campaign }, atMs);
  await store.addContacts(campaign.id, contacts, atMs);
  await store.setCampaignStatus(campaign.id, 'running');
}
