import { consentRequired, hasConsent } from '../consent.ts';
import type { Campaign, Disposition } from '../model.ts';
import { type CallDecision, canCallNow, effectiveRules, nextAllowedTime } from '../schedule.ts';
import { scheduleContactOf } from '../schedule-input.ts';
import type { AttemptRow, CampaignStore, ContactRow } from '../store/types.ts';

/**
 * The scheduling rules on stored rows. The contact's own attempts decide retries, windows and
 * limits (canCallNow / nextAllowedTime); attempts on the same number from other campaigns
 * count towards the per-callee limits only. Attempts that were claimed and never dialed
 * ('not-dialed') reached nobody: they neither count nor reset a backoff.
 */
export interface CalleeHistory {
  own: AttemptRow[];
  /** Counted attempts on the number in other campaigns, within the longest limit period. */
  elsewhere: AttemptRow[];
  dnc: boolean;
}

export async function loadHistory(
  store: CampaignStore,
  campaign: Campaign,
  contact: ContactRow,
  nowMs: number,
): Promise<CalleeHistory> {
  const rules = effectiveRules(campaign, contact.subdivision);
  const periodMs = Math.max(0, ...rules.limits.map((l) => l.periodMs));
  const [own, anyCampaign, dnc] = await Promise.all([
    store.listAttempts(contact.id),
    store.attemptsForNumber(contact.e164, nowMs - periodMs),
    store.dncMatches([contact.e164]),
  ]);
  return {
    own: own.filter((a) => a.disposition !== 'not-dialed'),
    elsewhere: anyCampaign.filter(
      (a) => a.contactId !== contact.id && (a.disposition === null || a.countsAsAttempt),
    ),
    dnc: dnc.has(contact.e164),
  };
}

/** The earliest instant >= now at which the limits have room, counting every campaign. */
function limitsFreeAt(
  campaign: Campaign,
  contact: ContactRow,
  starts: readonly number[],
  nowMs: number,
): number {
  const rules = effectiveRules(campaign, contact.subdivision);
  const sorted = [...starts].sort((a, b) => a - b);
  let until = nowMs;
  for (const limit of rules.limits) {
    const inPeriod = sorted.filter((t) => t > nowMs - limit.periodMs);
    if (inPeriod.length >= limit.maxAttempts) {
      until = Math.max(until, inPeriod[inPeriod.length - limit.maxAttempts]! + limit.periodMs);
    }
  }
  return until;
}

function countedStarts(campaign: Campaign, h: CalleeHistory, exceptId?: string): number[] {
  const own = h.own.filter(
    (a) => a.id !== exceptId && (a.disposition === null || campaign.retry[a.disposition].countsAsAttempt),
  );
  return [...own, ...h.elsewhere].map((a) => a.startedAtMs);
}

/** The scheduling rules' decision, or no recorded consent for a marketing call (final). */
export type PreDialDecision = CallDecision | { ok: false; reason: 'no_consent'; detail: string };

function lacksConsent(campaign: Campaign, contact: ContactRow, nowMs: number): boolean {
  return consentRequired(campaign) && !hasConsent(contact.variables, nowMs);
}

/** May the claimed attempt be dialed now? */
export function preDialDecision(
  campaign: Campaign,
  contact: ContactRow,
  h: CalleeHistory,
  attemptId: string,
  nowMs: number,
): PreDialDecision {
  if (lacksConsent(campaign, contact, nowMs)) {
    return {
      ok: false,
      reason: 'no_consent',
      detail: `a marketing call under the ${campaign.compliance} profile needs the callee's recorded consent (the consent column)`,
    };
  }
  const own = canCallNow(scheduleContactOf(contact, h.own, h.dnc, attemptId), campaign, nowMs);
  if (!own.ok) return own;
  const free = limitsFreeAt(campaign, contact, countedStarts(campaign, h, attemptId), nowMs);
  if (free > nowMs) {
    return {
      ok: false,
      reason: 'callee_limit',
      detail: `per-callee limit (all campaigns) reached until ${new Date(free).toISOString()}`,
    };
  }
  return own;
}

/** When the contact is next due after this attempt, or null when it is finished. */
export function nextAttemptAt(
  campaign: Campaign,
  contact: ContactRow,
  h: CalleeHistory,
  current: { id: string; startedAtMs: number; disposition: Disposition },
  nowMs: number,
): number | null {
  if (lacksConsent(campaign, contact, nowMs)) return null; // finished: never to be called
  const sc = scheduleContactOf(contact, h.own, h.dnc, current.id);
  const starts = countedStarts(campaign, h, current.id);
  if (current.disposition !== 'not-dialed') {
    sc.attempts = [
      ...sc.attempts,
      { startedAtMs: current.startedAtMs, endedAtMs: nowMs, disposition: current.disposition },
    ];
    if (campaign.retry[current.disposition].countsAsAttempt) starts.push(current.startedAtMs);
  }
  const from = limitsFreeAt(campaign, contact, starts, nowMs);
  return nextAllowedTime(sc, campaign, from);
}
