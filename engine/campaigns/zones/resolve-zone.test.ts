import { describe, expect, it } from 'vitest';
import { normalizeNumber } from '../phone.ts';
import { isValidZone, offsetMinutes } from './local-time.ts';
import { nanpAreaCodes, nanpZones } from './nanp-zones.ts';
import { knownRegions, regionZones } from './region-zones.ts';
import { resolveZones } from './resolve-zone.ts';

const REF = Date.parse('2026-06-01T00:00:00Z');

function zonesOf(raw: string, timezone?: string, spread = 1) {
  const n = normalizeNumber(raw, 'US');
  if (!n.ok) throw new Error(n.detail);
  return resolveZones({ region: n.region, nationalNumber: n.nationalNumber, timezone }, spread, REF);
}

describe('resolveZones', () => {
  it('maps NANP area codes, keeping both zones of a split one', () => {
    expect(zonesOf('+1 415 555 2671')).toEqual({
      ok: true,
      zones: ['America/Los_Angeles'],
      source: 'prefix',
    });
    expect(zonesOf('(212) 555-0123')).toMatchObject({ zones: ['America/New_York'] });
    expect(zonesOf('+1 850 555 0199')).toMatchObject({ zones: ['America/New_York', 'America/Chicago'] });
    expect(zonesOf('+1 613 555 0123')).toMatchObject({ zones: ['America/Toronto'] });
    expect(zonesOf('+1 808 555 0123')).toMatchObject({ zones: ['Pacific/Honolulu'] });
    expect(zonesOf('+1 787 555 1234')).toMatchObject({ zones: ['America/Puerto_Rico'], source: 'region' });
  });

  it('reports unknown zone where a region spans zones and the number does not say which', () => {
    expect(zonesOf('+61 412 345 678')).toMatchObject({ ok: false, reason: 'unknown_zone' }); // AU mobile
    expect(zonesOf('+7 916 123 4567')).toMatchObject({ ok: false, reason: 'unknown_zone' });
    expect(zonesOf('+52 55 1234 5678')).toMatchObject({ ok: false, reason: 'unknown_zone' });
    expect(zonesOf('+1 867 555 0123')).toMatchObject({ ok: false, reason: 'unknown_zone' }); // territories
    expect(zonesOf('+61 2 9876 5432')).toMatchObject({ ok: true, zones: ['Australia/Sydney'] });
    expect(zonesOf('+61 412 345 678', 'Australia/Perth')).toMatchObject({
      zones: ['Australia/Perth'],
      source: 'column',
    });
    // A wider tolerance accepts all of a region's zones (then all must be in the window).
    expect(zonesOf('+61 412 345 678', undefined, 4)).toMatchObject({ ok: true, source: 'region' });
  });

  it('rejects a timezone column that is not an IANA zone', () => {
    expect(zonesOf('+1 415 555 2671', 'Pacific Standard Time')).toMatchObject({
      ok: false,
      reason: 'bad_timezone',
    });
  });

  it('has only zone names the runtime knows', () => {
    const all = new Set<string>();
    for (const code of nanpAreaCodes()) for (const z of nanpZones(`${code}5550100`) ?? []) all.add(z);
    for (const r of knownRegions()) for (const z of regionZones(r)) all.add(z);
    for (const z of all) expect(isValidZone(z), z).toBe(true);
    expect(nanpAreaCodes().length).toBeGreaterThan(350);
  });

  it('reads UTC offsets with DST from the tz database', () => {
    expect(offsetMinutes(Date.parse('2026-01-15T12:00:00Z'), 'America/New_York')).toBe(-300);
    expect(offsetMinutes(Date.parse('2026-07-15T12:00:00Z'), 'America/New_York')).toBe(-240);
    expect(offsetMinutes(Date.parse('2026-07-15T12:00:00Z'), 'Asia/Kolkata')).toBe(330);
  });
});
