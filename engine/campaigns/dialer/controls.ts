import { VoicebotError } from '../../errors.ts';
import type { CampaignStatus } from '../model.ts';
import type { CampaignStore } from '../store/types.ts';

/**
 * Campaign switches shared by the CLI and the REST API. The stored status is what every
 * dialer process obeys: start/resume -> running, pause -> paused (no new dials; running calls
 * finish), stop -> stopped (final for this run). Each is idempotent: asking for the state the
 * campaign is already in changes nothing.
 */
export type ControlAction = 'start' | 'pause' | 'resume' | 'stop';

const ALLOWED: Record<ControlAction, { to: CampaignStatus; from: readonly CampaignStatus[] }> = {
  start: { to: 'running', from: ['draft', 'paused', 'stopped', 'done', 'running'] },
  pause: { to: 'paused', from: ['running', 'paused'] },
  resume: { to: 'running', from: ['paused', 'running'] },
  stop: { to: 'stopped', from: ['draft', 'running', 'paused', 'stopped', 'done'] },
};

export async function controlCampaign(
  store: CampaignStore,
  id: string,
  action: ControlAction,
): Promise<{ status: CampaignStatus; changed: boolean }> {
  const stored = await store.getCampaign(id);
  if (!stored)
    throw new VoicebotError('CAMPAIGN_NOT_FOUND', `no campaign with id "${id}"`, { campaignId: id });
  const rule = ALLOWED[action];
  if (!rule.from.includes(stored.status)) {
    throw new VoicebotError(
      'CAMPAIGN_INVALID',
      `cannot ${action} campaign "${id}" while it is ${stored.status} (allowed from: ${rule.from.join(', ')})`,
      { campaignId: id, status: stored.status, action },
    );
  }
  if (stored.status === rule.to) return { status: rule.to, changed: false };
  await store.setCampaignStatus(id, rule.to);
  return { status: rule.to, changed: true };
}
