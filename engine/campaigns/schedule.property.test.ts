import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMPLIANCE_PROFILES } from './compliance-profiles.ts';
import { type AttemptRecord, type Campaign, campaignSchema, DISPOSITIONS, WEEKDAYS } from './model.ts';
import { canCallNow, nextAllowedTime } from './schedule.ts';

/**
 * Generated callees across time zones and instants near daylight-saving changes, checked
 * against an independent reading of the local clock (toLocaleString).
 */

const ZONES = [
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Phoenix',
  'America/Los_Angeles',
  'America/St_Johns',
  'America/Sao_Paulo',
  'Europe/London',
  'Europe/Berlin',
  'Asia/Kolkata',
  'Asia/Shanghai',
  'Australia/Sydney',
  'Australia/Adelaide',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
];

// 2026 transitions: US Mar 8 / Nov 1, EU Mar 29 / Oct 25, AU Apr 5 / Oct 4, Lord Howe, Chatham.
const DST_CHANGES = [
  '2026-03-08T07:00:00Z',
  '2026-11-01T06:00:00Z',
  '2026-03-29T01:00:00Z',
  '2026-10-25T01:00:00Z',
  '2026-04-04T16:00:00Z',
  '2026-10-03T16:00:00Z',
  '2026-04-04T15:00:00Z',
  '2026-09-26T14:00:00Z',
].map(Date.parse);

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const instant = fc.oneof(
  fc
    .tuple(fc.constantFrom(...DST_CHANGES), fc.integer({ min: -36 * HOUR, max: 36 * HOUR }))
    .map(([a, b]) => a + b),
  fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2027-01-01T00:00:00Z') }),
);

const hhmm = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

const campaignArb = fc
  .record({
    start: fc.integer({ min: 0, max: 22 * 4 }).map((q) => q * 15),
    len: fc.integer({ min: 1, max: 8 * 4 }).map((q) => q * 15),
    days: fc.subarray([...WEEKDAYS], { minLength: 1 }),
    compliance: fc.constantFrom('US', 'UK', 'CN', 'none' as const),
    limits: fc.array(
      fc.record({
        maxAttempts: fc.integer({ min: 1, max: 4 }),
        periodMs: fc.constantFrom(5 * 60_000, HOUR, DAY),
      }),
      { maxLength: 2 },
    ),
    backoffMs: fc.constantFrom(0, 60_000, HOUR),
  })
  .map((g) =>
    campaignSchema.parse({
      id: 'p',
      name: 'p',
      scriptId: 's',
      callerId: '+14155550100',
      compliance: g.compliance,
      window: { start: hhmm(g.start), end: hhmm(Math.min(g.start + g.len, 24 * 60)), days: g.days },
      calleeLimits: g.limits,
      maxAttemptsTotal: 50,
      retry: Object.fromEntries(
        ['busy', 'no-answer', 'machine', 'failed', 'declined', 'abandoned'].map((d) => [
          d,
          { retry: true, backoffMs: g.backoffMs, maxAttempts: 50 },
        ]),
      ),
    }),
  );

const contactArb = fc.record({
  zones: fc.subarray(ZONES, { minLength: 1, maxLength: 2 }),
  subdivision: fc.constantFrom(null, 'US-FL'),
  dnc: fc.constantFrom(false, false, false, false, true),
});

/** Local clock by a different route than the engine's: "YYYY-MM-DD HH:MM:SS" from sv-SE. */
function oracle(t: number, zone: string) {
  const s = new Date(t).toLocaleString('sv-SE', { timeZone: zone });
  const [date, time] = s.split(' ') as [string, string];
  const minute = Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return { date, minute, weekday };
}

function allowedWindow(c: Campaign, subdivision: string | null) {
  const profile = COMPLIANCE_PROFILES[c.compliance];
  const sub = profile.subdivisions.find((s) => s.id === subdivision);
  const start = Math.max(c.window.start, profile.window?.start ?? 0, sub?.window?.start ?? 0);
  const end = Math.min(c.window.end, profile.window?.end ?? 1440, sub?.window?.end ?? 1440);
  const limits = [...c.calleeLimits, ...profile.calleeLimits, ...(sub?.calleeLimits ?? [])];
  return { start, end, limits };
}

function assertInWindow(t: number, zones: readonly string[], c: Campaign, subdivision: string | null) {
  const w = allowedWindow(c, subdivision);
  for (const z of zones) {
    const o = oracle(t, z);
    expect(o.minute, `${new Date(t).toISOString()} in ${z}`).toBeGreaterThanOrEqual(w.start);
    expect(o.minute, `${new Date(t).toISOString()} in ${z}`).toBeLessThan(w.end);
    expect(c.window.days).toContain(WEEKDAYS[o.weekday]);
  }
}

describe('scheduling properties', () => {
  it('canCallNow allows only inside the local window, never a DNC number, never over a limit', () => {
    fc.assert(
      fc.property(
        campaignArb,
        contactArb,
        instant,
        fc.array(
          fc.record({ ago: fc.integer({ min: 0, max: 2 * DAY }), d: fc.constantFrom(...DISPOSITIONS) }),
          {
            maxLength: 6,
          },
        ),
        (c, who, now, history) => {
          const attempts: AttemptRecord[] = history.map((h) => ({
            startedAtMs: now - h.ago,
            endedAtMs: now - h.ago,
            disposition: h.d,
          }));
          const decision = canCallNow({ ...who, attempts }, c, now);
          if (!decision.ok) return;
          expect(who.dnc).toBe(false);
          assertInWindow(now, who.zones, c, who.subdivision);
          for (const l of allowedWindow(c, who.subdivision).limits) {
            const inPeriod = attempts.filter(
              (a) => a.startedAtMs > now - l.periodMs && c.retry[a.disposition!].countsAsAttempt,
            ).length;
            expect(inPeriod).toBeLessThan(l.maxAttempts);
          }
        },
      ),
      { numRuns: 1500 },
    );
  }, 60_000);

  it('a dialer following nextAllowedTime stays in the windows and under every limit, across DST changes', () => {
    fc.assert(
      fc.property(
        campaignArb,
        contactArb,
        instant,
        fc.array(fc.constantFrom('busy', 'no-answer', 'machine', 'congestion', 'failed' as const), {
          minLength: 1,
          maxLength: 12,
        }),
        (c, who, start, outcomes) => {
          const attempts: AttemptRecord[] = [];
          let now = start;
          for (const d of outcomes) {
            const t = nextAllowedTime({ ...who, attempts }, c, now);
            if (t === null) break;
            expect(t).toBeGreaterThanOrEqual(now);
            expect(canCallNow({ ...who, attempts }, c, t)).toEqual({ ok: true });
            // The earliest: one second before it was not allowed (unless that is before now).
            if (t - 1000 >= now) expect(canCallNow({ ...who, attempts }, c, t - 1000).ok).toBe(false);
            expect(who.dnc).toBe(false);
            assertInWindow(t, who.zones, c, who.subdivision);
            attempts.push({ startedAtMs: t, endedAtMs: t + 30_000, disposition: d });
            now = t + 30_000;
          }
          // Sliding-window limits hold over the whole history.
          const counted = attempts
            .filter((a) => c.retry[a.disposition!].countsAsAttempt)
            .map((a) => a.startedAtMs);
          for (const l of allowedWindow(c, who.subdivision).limits) {
            for (const t of counted) {
              expect(counted.filter((u) => u >= t && u < t + l.periodMs).length).toBeLessThanOrEqual(
                l.maxAttempts,
              );
            }
          }
        },
      ),
      { numRuns: 400 },
    );
  }, 60_000);
});
