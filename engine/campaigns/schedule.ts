import { COMPLIANCE_PROFILES } from './compliance-profiles.ts';
import type {
  AttemptRecord,
  CalleeLimit,
  Campaign,
  Disposition,
  RetryRule,
  ScheduleContact,
} from './model.ts';
import { WEEKDAYS } from './model.ts';
import { addDays, instantAtLocal, type LocalParts, localParts } from './zones/local-time.ts';

/**
 * The pure scheduling rules the dialer calls: may this callee be called now, and if not, when
 * next. All times are epoch milliseconds; windows are in the callee's local time (every zone
 * the number may be in must be inside the window).
 */

export type BlockReason =
  | 'dnc'
  | 'unknown_zone'
  | 'in_progress'
  | 'finished'
  | 'max_attempts'
  | 'retry_backoff'
  | 'callee_limit'
  | 'holiday'
  | 'day_not_allowed'
  | 'outside_window';

export type CallDecision = { ok: true } | { ok: false; reason: BlockReason; detail: string };

/** The campaign and its compliance profile (and the callee's subdivision) folded together. */
export interface EffectiveRules {
  start: number;
  end: number;
  days: ReadonlySet<number>;
  holidays: ReadonlySet<string>;
  limits: readonly CalleeLimit[];
  retry: Record<Disposition, RetryRule>;
  minBackoffMs: Partial<Record<Disposition, number>>;
  maxAttemptsTotal: number;
}

const cache = new WeakMap<Campaign, Map<string, EffectiveRules>>();

export function effectiveRules(campaign: Campaign, subdivision?: string | null): EffectiveRules {
  let byCampaign = cache.get(campaign);
  if (!byCampaign) {
    byCampaign = new Map();
    cache.set(campaign, byCampaign);
  }
  const key = subdivision ?? '';
  const hit = byCampaign.get(key);
  if (hit) return hit;
  const profile = COMPLIANCE_PROFILES[campaign.compliance];
  const sub = subdivision ? profile.subdivisions.find((s) => s.id === subdivision) : undefined;
  let start = campaign.window.start;
  let end = campaign.window.end;
  for (const w of [profile.window, sub?.window]) {
    if (w) {
      start = Math.max(start, w.start);
      end = Math.min(end, w.end);
    }
  }
  const days = new Set(campaign.window.days.map((d) => WEEKDAYS.indexOf(d)));
  if (profile.days) for (const d of WEEKDAYS) if (!profile.days.includes(d)) days.delete(WEEKDAYS.indexOf(d));
  const rules: EffectiveRules = {
    start,
    end,
    days,
    holidays: new Set(campaign.window.holidays),
    limits: [...campaign.calleeLimits, ...profile.calleeLimits, ...(sub?.calleeLimits ?? [])],
    retry: campaign.retry,
    minBackoffMs: profile.minBackoffMs,
    maxAttemptsTotal: campaign.maxAttemptsTotal,
  };
  byCampaign.set(key, rules);
  return rules;
}

function counts(a: AttemptRecord, rules: EffectiveRules): boolean {
  return a.disposition === null || rules.retry[a.disposition].countsAsAttempt;
}

/** When retrying is next allowed by the retry policy, or a final block. */
function retryState(
  attempts: readonly AttemptRecord[],
  rules: EffectiveRules,
): { until: number } | { reason: BlockReason; detail: string } {
  if (attempts.length === 0) return { until: -Infinity };
  let last = attempts[0]!;
  let counted = 0;
  for (const a of attempts) {
    if (a.disposition === null) return { reason: 'in_progress', detail: 'an attempt is in progress' };
    if (a.startedAtMs >= last.startedAtMs) last = a;
    if (counts(a, rules)) counted++;
  }
  const d = last.disposition!;
  const rule = rules.retry[d];
  if (!rule.retry) return { reason: 'finished', detail: `the last attempt ended ${d}, which is final` };
  const same = attempts.filter((a) => a.disposition === d).length;
  if (same >= rule.maxAttempts) {
    return { reason: 'max_attempts', detail: `${same} attempts ended ${d} (at most ${rule.maxAttempts})` };
  }
  if (counted >= rules.maxAttemptsTotal) {
    return { reason: 'max_attempts', detail: `${counted} attempts (at most ${rules.maxAttemptsTotal})` };
  }
  const backoff = Math.min(rule.maxBackoffMs, rule.backoffMs * rule.backoffFactor ** (same - 1));
  const wait = Math.max(backoff, rules.minBackoffMs[d] ?? 0);
  return { until: (last.endedAtMs ?? last.startedAtMs) + wait };
}

/** The earliest instant >= now at which every per-callee limit has room for one more attempt. */
function limitsFreeAt(attempts: readonly AttemptRecord[], rules: EffectiveRules, nowMs: number): number {
  let until = nowMs;
  const starts = attempts
    .filter((a) => counts(a, rules))
    .map((a) => a.startedAtMs)
    .sort((a, b) => a - b);
  for (const limit of rules.limits) {
    const inPeriod = starts.filter((t) => t > nowMs - limit.periodMs);
    if (inPeriod.length >= limit.maxAttempts) {
      until = Math.max(until, inPeriod[inPeriod.length - limit.maxAttempts]! + limit.periodMs);
    }
  }
  return until;
}

function windowBlock(p: LocalParts, rules: EffectiveRules): BlockReason | null {
  if (rules.holidays.has(p.date)) return 'holiday';
  if (!rules.days.has(p.weekday)) return 'day_not_allowed';
  if (p.minuteOfDay < rules.start || p.minuteOfDay >= rules.end) return 'outside_window';
  return null;
}

function hhmm(min: number): string {
  return `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;
}

export function canCallNow(contact: ScheduleContact, campaign: Campaign, nowMs: number): CallDecision {
  if (contact.dnc) return { ok: false, reason: 'dnc', detail: 'the number is on the do-not-call list' };
  if (contact.zones.length === 0) {
    return { ok: false, reason: 'unknown_zone', detail: 'the callee time zone is unknown' };
  }
  const rules = effectiveRules(campaign, contact.subdivision);
  if (rules.end <= rules.start || rules.days.size === 0) {
    return {
      ok: false,
      reason: 'outside_window',
      detail: 'the campaign and its profile leave no calling time',
    };
  }
  const retry = retryState(contact.attempts, rules);
  if ('reason' in retry) return { ok: false, ...retry };
  if (retry.until > nowMs) {
    return {
      ok: false,
      reason: 'retry_backoff',
      detail: `retry not before ${new Date(retry.until).toISOString()}`,
    };
  }
  const free = limitsFreeAt(contact.attempts, rules, nowMs);
  if (free > nowMs) {
    return {
      ok: false,
      reason: 'callee_limit',
      detail: `per-callee limit reached until ${new Date(free).toISOString()}`,
    };
  }
  for (const zone of contact.zones) {
    const p = localParts(nowMs, zone);
    const block = windowBlock(p, rules);
    if (block) {
      return {
        ok: false,
        reason: block,
        detail: `${p.date} ${hhmm(p.minuteOfDay)} in ${zone} (window ${hhmm(rules.start)}-${hhmm(rules.end)})`,
      };
    }
  }
  return { ok: true };
}

const SEARCH_DAYS = 400;

/** The first instant >= t at which the zone's local time is inside the window, or null. */
function nextOpenInZone(t: number, zone: string, rules: EffectiveRules): number | null {
  const p = localParts(t, zone);
  if (windowBlock(p, rules) === null) return t;
  for (let d = 0; d <= SEARCH_DAYS; d++) {
    const date = addDays(p, d);
    const weekday = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
    if (!rules.days.has(weekday)) continue;
    const iso = `${date.year}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
    if (rules.holidays.has(iso)) continue;
    if (d === 0 && p.minuteOfDay >= rules.start) continue; // today's window is over
    const open = instantAtLocal(date, rules.start, zone);
    if (open >= t && windowBlock(localParts(open, zone), rules) === null) return open;
  }
  return null;
}

/**
 * The earliest instant >= now at which `canCallNow` allows a call, or null when the callee must
 * never be called again (DNC, unknown zone, finished, out of attempts) or no window exists.
 */
export function nextAllowedTime(contact: ScheduleContact, campaign: Campaign, nowMs: number): number | null {
  if (contact.dnc || contact.zones.length === 0) return null;
  const rules = effectiveRules(campaign, contact.subdivision);
  if (rules.end <= rules.start || rules.days.size === 0) return null;
  const retry = retryState(contact.attempts, rules);
  if ('reason' in retry) return null;
  // Limits only loosen as time passes, so they are settled once.
  let t = Math.max(nowMs, retry.until, limitsFreeAt(contact.attempts, rules, nowMs));
  for (let round = 0; round < 50; round++) {
    let moved = false;
    for (const zone of contact.zones) {
      const open = nextOpenInZone(t, zone, rules);
      if (open === null) return null;
      if (open !== t) {
        t = open;
        moved = true;
      }
    }
    if (!moved) return t;
  }
  return null;
}
