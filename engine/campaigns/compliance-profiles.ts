import type { CalleeLimit, Campaign, Disposition, Weekday } from './model.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** Rules of one state or province on top of its country's profile. */
export interface Subdivision {
  id: string;
  name: string;
  /** NANP area codes that place a number in this subdivision (with overlays). */
  areaCodes: readonly string[];
  window?: { start: number; end: number };
  calleeLimits?: readonly CalleeLimit[];
}

/**
 * What a regulator requires, as numbers the engine enforces. The campaign's own settings are
 * intersected with these (the narrower window and every limit win). Values: docs/campaigns.md.
 */
export interface ComplianceProfile {
  id: 'US' | 'UK' | 'CN' | 'none';
  description: string;
  /** Calling window, minutes of the callee's local day [start, end). */
  window?: { start: number; end: number };
  days?: readonly Weekday[];
  calleeLimits: readonly CalleeLimit[];
  /** The least time before re-calling after these dispositions. */
  minBackoffMs: Partial<Record<Disposition, number>>;
  /** Abandoned calls at most `maxRate` of live answers over `periodMs` (for the dialer). */
  abandon?: { maxRate: number; periodMs: number; agentConnectMs: number };
  /** Let it ring at least this long before giving up. */
  minRingMs?: number;
  /** National DNC scrub no older than this. */
  dncMaxAgeDays?: number;
  /** Marketing calls need the callee's recorded consent. */
  requiresConsent: boolean;
  subdivisions: readonly Subdivision[];
}

export const COMPLIANCE_PROFILES: Record<ComplianceProfile['id'], ComplianceProfile> = {
  US: {
    id: 'US',
    description: 'US TSR/FCC: 08:00-21:00 callee local time, <= 3% abandoned per 30 days, ring >= 15 s',
    window: { start: 8 * 60, end: 21 * 60 },
    calleeLimits: [],
    minBackoffMs: {},
    abandon: { maxRate: 0.03, periodMs: 30 * DAY_MS, agentConnectMs: 2000 },
    minRingMs: 15_000,
    dncMaxAgeDays: 31,
    requiresConsent: true,
    subdivisions: [
      {
        id: 'US-FL',
        name: 'Florida',
        areaCodes: [
          '239',
          '305',
          '321',
          '324',
          '352',
          '386',
          '407',
          '448',
          '561',
          '645',
          '656',
          '689',
          '727',
          '728',
          '754',
          '772',
          '786',
          '813',
          '850',
          '863',
          '904',
          '941',
          '954',
        ],
        window: { start: 8 * 60, end: 20 * 60 },
        calleeLimits: [{ maxAttempts: 3, periodMs: DAY_MS }],
      },
    ],
  },
  UK: {
    id: 'UK',
    description:
      'UK Ofcom: <= 3% abandoned per 24 h, ring >= 15 s, no re-call within 72 h of an abandoned call',
    calleeLimits: [],
    minBackoffMs: { abandoned: 72 * HOUR_MS },
    abandon: { maxRate: 0.03, periodMs: DAY_MS, agentConnectMs: 2000 },
    minRingMs: 15_000,
    requiresConsent: false,
    subdivisions: [],
  },
  CN: {
    id: 'CN',
    description:
      'China (MIIT): consent, 08:00-21:00 Beijing time, <= 5 calls / 24 h and <= 3 / 5 min per callee',
    window: { start: 8 * 60, end: 21 * 60 },
    calleeLimits: [
      { maxAttempts: 5, periodMs: DAY_MS },
      { maxAttempts: 3, periodMs: 5 * 60_000 },
    ],
    minBackoffMs: {},
    requiresConsent: true,
    subdivisions: [],
  },
  none: {
    id: 'none',
    description: 'no regulator rules beyond the campaign settings',
    calleeLimits: [],
    minBackoffMs: {},
    requiresConsent: false,
    subdivisions: [],
  },
};

/** The subdivision (e.g. US-FL) whose rules apply to a number, if any. */
export function subdivisionOf(
  profile: ComplianceProfile,
  region: string | undefined,
  nationalNumber: string,
): string | null {
  if (profile.id !== 'US' || region !== 'US') return null;
  const area = nationalNumber.slice(0, 3);
  return profile.subdivisions.find((s) => s.areaCodes.includes(area))?.id ?? null;
}

/**
 * The abandon limit a campaign is held to and the rolling period it is counted over. Under a
 * profile with an abandon rule: its period, and its limit unless `own.dropTarget` is stricter;
 * otherwise the campaign's own settings, else 3% over 24 h (the stricter, Ofcom period).
 */
export function abandonRules(
  campaign: Pick<Campaign, 'compliance'>,
  own: { dropTarget?: number; abandonPeriodMs?: number } = {},
): { maxRate: number; periodMs: number } {
  const rule = COMPLIANCE_PROFILES[campaign.compliance].abandon;
  if (rule) return { maxRate: Math.min(own.dropTarget ?? 1, rule.maxRate), periodMs: rule.periodMs };
  return { maxRate: own.dropTarget ?? 0.03, periodMs: own.abandonPeriodMs ?? DAY_MS };
}
