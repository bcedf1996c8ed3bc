import { COMPLIANCE_PROFILES } from './compliance-profiles.ts';
import type { Campaign } from './model.ts';

/**
 * Recorded consent to marketing calls, kept as the contact variable `consent`. Values (case
 * and surrounding spaces ignored): `yes`, `y`, `true`, `1` (consent, no date); `no`, `n`,
 * `false`, `0` or empty (no consent); an ISO 8601 date `YYYY-MM-DD` or date-time
 * `YYYY-MM-DDTHH:MM[:SS[.sss]](Z|±HH:MM)` (consent given then; not in the future). The import
 * stores the normalised form: `yes`, `no`, the date, or the date-time in UTC.
 */
export const CONSENT_VARIABLE = 'consent';

export type ConsentValue = { ok: true; given: boolean; normalized: string } | { ok: false; detail: string };

const YES = new Set(['yes', 'y', 'true', '1']);
const NO = new Set(['no', 'n', 'false', '0', '']);
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
/** A local date may run ahead of UTC by up to 14 h (Kiribati); date-times get 5 min of clock skew. */
const DATE_AHEAD_MS = 14 * 3_600_000;
const SKEW_MS = 5 * 60_000;

/** Midnight UTC of a `YYYY-MM-DD` calendar date, or null (2026-02-30 is not one). */
function calendarDate(v: string): number | null {
  const m = DATE.exec(v);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(ms).toISOString().slice(0, 10) === v ? ms : null;
}

export function parseConsent(raw: string, nowMs: number): ConsentValue {
  const v = raw.trim();
  const lower = v.toLowerCase();
  if (YES.has(lower)) return { ok: true, given: true, normalized: 'yes' };
  if (NO.has(lower)) return { ok: true, given: false, normalized: 'no' };
  if (DATE.test(v)) {
    const day = calendarDate(v);
    if (day === null) return { ok: false, detail: `consent ${v}: not a calendar date` };
    if (day > nowMs + DATE_AHEAD_MS) return { ok: false, detail: `consent ${v}: the date is in the future` };
    return { ok: true, given: true, normalized: v };
  }
  const upper = v.toUpperCase();
  if (DATE_TIME.test(upper)) {
    const ms = Date.parse(upper);
    if (calendarDate(upper.slice(0, 10)) === null || Number.isNaN(ms)) {
      return { ok: false, detail: `consent ${v}: not a valid date and time` };
    }
    if (ms > nowMs + SKEW_MS) return { ok: false, detail: `consent ${v}: the time is in the future` };
    return { ok: true, given: true, normalized: new Date(ms).toISOString() };
  }
  return {
    ok: false,
    detail: `consent "${v}" is not yes/no/true/false/1/0 or an ISO date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)`,
  };
}

/** Marketing campaigns under a profile that requires consent (US, CN) call only contacts with it. */
export function consentRequired(campaign: Pick<Campaign, 'purpose' | 'compliance'>): boolean {
  return campaign.purpose === 'marketing' && COMPLIANCE_PROFILES[campaign.compliance].requiresConsent;
}

/** Whether the contact's `consent` variable records consent given by now. */
export function hasConsent(variables: Readonly<Record<string, string>>, nowMs: number): boolean {
  const raw = variables[CONSENT_VARIABLE];
  if (raw === undefined) return false;
  const c = parseConsent(raw, nowMs);
  return c.ok && c.given;
}
