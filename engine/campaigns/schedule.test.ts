import { describe, expect, it } from 'vitest';
import { type AttemptRecord, type CampaignInput, campaignSchema, type ScheduleContact } from './model.ts';
import { canCallNow, nextAllowedTime } from './schedule.ts';

const HOUR = 3_600_000;
const at = (iso: string) => Date.parse(iso);

function campaign(over: Partial<CampaignInput> = {}) {
  return campaignSchema.parse({
    id: 'c1',
    name: 'test',
    scriptId: 'reminder',
    callerId: '+14155550100',
    window: { start: '08:00', end: '21:00', days: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
    ...over,
  });
}

function contact(zones: string[], attempts: AttemptRecord[] = [], extra: Partial<ScheduleContact> = {}) {
  return { zones, attempts, dnc: false, ...extra };
}

describe('canCallNow / nextAllowedTime', () => {
  const us = campaign({ compliance: 'US' });
  const ny = contact(['America/New_York']);

  it('follows the callee local clock across the US spring-forward change', () => {
    // 2026-03-08 is the second Sunday of March: 02:00 EST -> 03:00 EDT.
    expect(canCallNow(ny, us, at('2026-03-07T12:30:00Z'))).toMatchObject({
      ok: false,
      reason: 'outside_window',
    });
    expect(nextAllowedTime(ny, us, at('2026-03-07T12:30:00Z'))).toBe(at('2026-03-07T13:00:00Z'));
    // 12:30Z is 08:30 EDT the next day: allowed, although it was 07:30 the day before.
    expect(canCallNow(ny, us, at('2026-03-08T12:30:00Z'))).toEqual({ ok: true });
    expect(nextAllowedTime(ny, us, at('2026-03-08T11:59:00Z'))).toBe(at('2026-03-08T12:00:00Z'));
    // After 21:00 EDT the next opening is 08:00 EDT the next morning.
    expect(canCallNow(ny, us, at('2026-03-09T01:00:00Z'))).toMatchObject({ reason: 'outside_window' });
    expect(nextAllowedTime(ny, us, at('2026-03-09T01:00:00Z'))).toBe(at('2026-03-09T12:00:00Z'));
  });

  it('applies the Florida window (08:00-20:00) and 3 attempts per 24 h', () => {
    const fl = contact(['America/New_York'], [], { subdivision: 'US-FL' });
    const t = at('2026-06-10T00:30:00Z'); // 20:30 EDT
    expect(canCallNow(ny, us, t)).toEqual({ ok: true });
    expect(canCallNow(fl, us, t)).toMatchObject({ ok: false, reason: 'outside_window' });
    const c = campaign({
      compliance: 'US',
      retry: { 'no-answer': { retry: true, backoffMs: 60_000, maxAttempts: 10 } },
      calleeLimits: [],
    });
    const tries = [at('2026-06-10T13:00:00Z'), at('2026-06-10T15:00:00Z'), at('2026-06-10T17:00:00Z')].map(
      (s) => ({ startedAtMs: s, endedAtMs: s + 30_000, disposition: 'no-answer' as const }),
    );
    const fl3 = { ...fl, attempts: tries };
    expect(canCallNow(fl3, c, at('2026-06-10T18:00:00Z'))).toMatchObject({ reason: 'callee_limit' });
    expect(canCallNow({ ...ny, attempts: tries }, c, at('2026-06-10T18:00:00Z'))).toEqual({ ok: true });
    // The first attempt leaves the 24 h period at 13:00Z the next day (09:00 EDT, in the window).
    expect(nextAllowedTime(fl3, c, at('2026-06-10T18:00:00Z'))).toBe(at('2026-06-11T13:00:00Z'));
  });

  it('needs every zone of a split area code inside the window', () => {
    const panhandle = contact(['America/New_York', 'America/Chicago']);
    // 13:30Z = 09:30 EDT but 08:30 CDT... then 12:30Z = 08:30 EDT, 07:30 CDT.
    expect(canCallNow(panhandle, us, at('2026-06-10T12:30:00Z'))).toMatchObject({ reason: 'outside_window' });
    expect(nextAllowedTime(panhandle, us, at('2026-06-10T12:30:00Z'))).toBe(at('2026-06-10T13:00:00Z'));
    // 00:30Z = 20:30 EDT / 19:30 CDT: fine; 01:30Z = 21:30 EDT: not.
    expect(canCallNow(panhandle, us, at('2026-06-11T00:30:00Z'))).toEqual({ ok: true });
    expect(canCallNow(panhandle, us, at('2026-06-11T01:30:00Z'))).toMatchObject({ reason: 'outside_window' });
  });

  it('never calls DNC numbers or unknown zones', () => {
    const t = at('2026-06-10T16:00:00Z');
    expect(canCallNow({ ...ny, dnc: true }, us, t)).toMatchObject({ ok: false, reason: 'dnc' });
    expect(nextAllowedTime({ ...ny, dnc: true }, us, t)).toBeNull();
    expect(canCallNow(contact([]), us, t)).toMatchObject({ ok: false, reason: 'unknown_zone' });
    expect(nextAllowedTime(contact([]), us, t)).toBeNull();
  });

  it('retries per disposition with backoff, and stops on final dispositions and max attempts', () => {
    const c = campaign({ calleeLimits: [] });
    const t0 = at('2026-06-10T14:00:00Z');
    const busy = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        startedAtMs: t0 + i * HOUR,
        endedAtMs: t0 + i * HOUR + 10_000,
        disposition: 'busy' as const,
      }));
    expect(nextAllowedTime(contact(['America/New_York'], busy(1)), c, t0 + 20_000)).toBe(
      t0 + 10_000 + 20 * 60_000,
    );
    expect(canCallNow(contact(['America/New_York'], busy(3)), c, t0 + 5 * HOUR)).toMatchObject({
      reason: 'max_attempts',
    });
    const answered = [{ startedAtMs: t0, endedAtMs: t0 + 60_000, disposition: 'answered' as const }];
    expect(canCallNow(contact(['America/New_York'], answered), c, t0 + 9 * HOUR)).toMatchObject({
      reason: 'finished',
    });
    const open = [{ startedAtMs: t0, disposition: null }];
    expect(canCallNow(contact(['America/New_York'], open), c, t0 + HOUR)).toMatchObject({
      reason: 'in_progress',
    });
    // No-answer backs off 2 h, then 3 h (factor 1.5).
    const na = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        startedAtMs: t0 + i,
        endedAtMs: t0 + i,
        disposition: 'no-answer' as const,
      }));
    expect(nextAllowedTime(contact(['America/New_York'], na(2)), c, t0)).toBe(t0 + 1 + 3 * HOUR);
  });

  it('does not count congestion against the per-callee limit', () => {
    const c = campaign({ calleeLimits: [{ maxAttempts: 1, periodMs: 24 * HOUR }] });
    const t0 = at('2026-06-10T14:00:00Z');
    const cong = [{ startedAtMs: t0, endedAtMs: t0 + 1000, disposition: 'congestion' as const }];
    expect(canCallNow(contact(['America/New_York'], cong), c, t0 + 3 * 60_000)).toEqual({ ok: true });
    const failed = [{ startedAtMs: t0, endedAtMs: t0 + 1000, disposition: 'failed' as const }];
    expect(canCallNow(contact(['America/New_York'], failed), c, t0 + HOUR)).toMatchObject({
      reason: 'callee_limit',
    });
  });

  it('UK: no re-call within 72 h of an abandoned call', () => {
    const uk = campaign({ compliance: 'UK', calleeLimits: [] });
    const t0 = at('2026-06-10T10:00:00Z');
    const ab = [{ startedAtMs: t0, endedAtMs: t0 + 5000, disposition: 'abandoned' as const }];
    const london = contact(['Europe/London'], ab);
    expect(canCallNow(london, uk, t0 + 48 * HOUR)).toMatchObject({ reason: 'retry_backoff' });
    expect(nextAllowedTime(london, uk, t0 + 1000)).toBe(t0 + 5000 + 72 * HOUR);
  });

  it('CN: at most 3 calls per 5 minutes and 5 per 24 h', () => {
    const cn = campaign({
      compliance: 'CN',
      calleeLimits: [],
      maxAttemptsTotal: 20,
      retry: { 'no-answer': { retry: true, backoffMs: 0, maxAttempts: 20 } },
    });
    const t0 = at('2026-06-10T02:00:00Z'); // 10:00 Beijing
    const tries = (n: number, gap: number) =>
      Array.from({ length: n }, (_, i) => ({
        startedAtMs: t0 + i * gap,
        endedAtMs: t0 + i * gap,
        disposition: 'no-answer' as const,
      }));
    const sh = (a: AttemptRecord[]) => contact(['Asia/Shanghai'], a);
    expect(canCallNow(sh(tries(3, 60_000)), cn, t0 + 3 * 60_000)).toMatchObject({ reason: 'callee_limit' });
    expect(nextAllowedTime(sh(tries(3, 60_000)), cn, t0 + 3 * 60_000)).toBe(t0 + 5 * 60_000);
    expect(canCallNow(sh(tries(5, HOUR)), cn, t0 + 5 * HOUR)).toMatchObject({ reason: 'callee_limit' });
    // 21:00 Beijing is 13:00Z.
    expect(canCallNow(sh([]), cn, at('2026-06-10T13:00:00Z'))).toMatchObject({ reason: 'outside_window' });
  });

  it('skips holidays and days not allowed, in the callee local date', () => {
    const c = campaign({
      window: {
        start: '09:00',
        end: '17:00',
        days: ['mon', 'tue', 'wed', 'thu', 'fri'],
        holidays: ['2026-12-25'],
      },
    });
    const tokyo = contact(['Asia/Tokyo']);
    // 2026-12-25 is a Friday; 00:30Z is 09:30 in Tokyo.
    expect(canCallNow(tokyo, c, at('2026-12-25T00:30:00Z'))).toMatchObject({ reason: 'holiday' });
    expect(nextAllowedTime(tokyo, c, at('2026-12-25T00:30:00Z'))).toBe(at('2026-12-28T00:00:00Z'));
  });

  it('opens at the end of a spring-forward gap and at the first of two fall-back times', () => {
    const c = campaign({ window: { start: '01:30', end: '05:00', days: ['sun'] } });
    const london = contact(['Europe/London']);
    // 2026-03-29: 01:00 GMT -> 02:00 BST, so 01:30 does not exist; the window opens at 02:00 BST.
    expect(nextAllowedTime(london, c, at('2026-03-28T12:00:00Z'))).toBe(at('2026-03-29T01:00:00Z'));
    // 2026-10-25: 02:00 BST -> 01:00 GMT, so 01:30 happens twice; the first is 00:30Z.
    expect(nextAllowedTime(london, c, at('2026-10-24T12:00:00Z'))).toBe(at('2026-10-25T00:30:00Z'));
  });
});

describe('campaignSchema', () => {
  it('rejects a bad window and a bad caller ID with the field named', () => {
    const r = campaignSchema.safeParse({
      id: 'x',
      name: 'x',
      scriptId: 's',
      callerId: '555',
      window: { start: '21:00', end: '08:00' },
    });
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toContain('callerId');
    expect(paths).toContain('window.end');
  });

  it('fills retry rules per disposition from the defaults', () => {
    const c = campaign({ retry: { busy: { retry: true, backoffMs: 1000, maxAttempts: 5 } } });
    expect(c.retry.busy).toMatchObject({ backoffMs: 1000, maxAttempts: 5 });
    expect(c.retry.congestion.countsAsAttempt).toBe(false);
    expect(c.retry.answered.retry).toBe(false);
  });
});
