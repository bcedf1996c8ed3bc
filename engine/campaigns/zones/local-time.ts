/**
 * Wall-clock time in IANA zones through Intl.DateTimeFormat (the runtime's tz database), so
 * daylight-saving rules are never written by hand here.
 */
export interface LocalParts {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number; // 0 = Sunday
  /** YYYY-MM-DD of the local date. */
  date: string;
  /** Minutes since local midnight. */
  minuteOfDay: number;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'short',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** True when the runtime knows this IANA zone name. */
export function isValidZone(zone: string): boolean {
  if (!zone || zone.length > 64) return false;
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

export function localParts(epochMs: number, zone: string): LocalParts {
  const out: Record<string, string> = {};
  for (const p of formatter(zone).formatToParts(epochMs)) out[p.type] = p.value;
  const year = Number(out.year);
  const month = Number(out.month);
  const day = Number(out.day);
  const hour = Number(out.hour);
  const minute = Number(out.minute);
  return {
    year,
    month,
    day,
    hour,
    minute,
    second: Number(out.second),
    weekday: WEEKDAYS[out.weekday ?? ''] ?? 0,
    date: `${out.year}-${out.month}-${out.day}`,
    minuteOfDay: hour * 60 + minute,
  };
}

/** UTC offset of the zone at this instant, in minutes (east positive). */
export function offsetMinutes(epochMs: number, zone: string): number {
  const p = localParts(epochMs, zone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((asUtc - Math.floor(epochMs / 1000) * 1000) / 60_000);
}

/**
 * The instant at which the zone's wall clock first shows at least this local time on this
 * date. In a spring-forward gap (the time does not exist) that is the end of the gap; in a
 * fall-back overlap it is the first of the two occurrences.
 */
export function instantAtLocal(
  date: { year: number; month: number; day: number },
  minuteOfDay: number,
  zone: string,
): number {
  const wall = Date.UTC(date.year, date.month - 1, date.day, 0, minuteOfDay);
  // The true offset is one of the offsets in force a day either side of the wall time.
  const candidates = new Set([
    offsetMinutes(wall - 86_400_000, zone),
    offsetMinutes(wall + 86_400_000, zone),
  ]);
  let best: number | undefined;
  for (const off of [...candidates].sort((a, b) => b - a)) {
    const t = wall - off * 60_000;
    if (offsetMinutes(t, zone) === off && (best === undefined || t < best)) best = t;
  }
  if (best !== undefined) return best;
  // In a gap: neither offset maps back to this wall time; the gap ends at the transition.
  const before = Math.max(...candidates);
  const after = Math.min(...candidates);
  let lo = wall - before * 60_000;
  let hi = wall - after * 60_000;
  if (lo > hi) [lo, hi] = [hi, lo];
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2 / 1000) * 1000;
    if (localParts(mid, zone).minuteOfDay >= minuteOfDay && sameDate(localParts(mid, zone), date)) hi = mid;
    else lo = mid;
  }
  return hi;
}

function sameDate(p: LocalParts, d: { year: number; month: number; day: number }): boolean {
  return p.year === d.year && p.month === d.month && p.day === d.day;
}

/** The local calendar date `days` after the given one (pure calendar arithmetic). */
export function addDays(
  d: { year: number; month: number; day: number },
  days: number,
): { year: number; month: number; day: number } {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + days));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

/** Largest difference between the zones' UTC offsets over a year (so DST differences count). */
export function zoneSpreadHours(zones: readonly string[], aroundMs: number): number {
  if (zones.length < 2) return 0;
  let spread = 0;
  for (let m = 0; m < 12; m++) {
    const t = aroundMs + m * 30 * 86_400_000;
    const offs = zones.map((z) => offsetMinutes(t, z));
    spread = Math.max(spread, Math.max(...offs) - Math.min(...offs));
  }
  return spread / 60;
}
