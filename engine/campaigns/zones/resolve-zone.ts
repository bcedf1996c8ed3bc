import { isValidZone, zoneSpreadHours } from './local-time.ts';
import { nanpZones } from './nanp-zones.ts';
import { australiaZones, regionZones } from './region-zones.ts';

/** Spread per zone set: the tables hold a few dozen sets, and offsets over a year do not change. */
const spreadCache = new Map<string, number>();

export type ZoneResolution =
  | { ok: true; zones: readonly string[]; source: 'column' | 'prefix' | 'region' }
  | { ok: false; reason: 'bad_timezone' | 'unknown_zone'; detail: string };

export interface ZoneInput {
  /** ISO region from the number (libphonenumber-js). */
  region: string | undefined;
  /** National significant number (digits only). */
  nationalNumber: string;
  /** A `timezone` column value, when the list has one. */
  timezone?: string | undefined;
}

/**
 * The zones a callee may be in. A `timezone` column wins; then prefix tables (NANP area codes,
 * Australian geographic prefixes); then the region's zones. When several zones remain and they
 * are more than `maxSpreadHours` apart (over a year), the zone is unknown: the contact is not
 * called and is reported. Zones closer than that are all kept, and a call needs every one of
 * them to be inside the window.
 */
export function resolveZones(input: ZoneInput, maxSpreadHours: number, refMs = Date.now()): ZoneResolution {
  const column = input.timezone?.trim();
  if (column) {
    if (!isValidZone(column)) {
      return {
        ok: false,
        reason: 'bad_timezone',
        detail: `timezone "${column}" is not an IANA zone name (e.g. America/Chicago)`,
      };
    }
    return { ok: true, zones: [column], source: 'column' };
  }
  const region = input.region;
  if (!region) return { ok: false, reason: 'unknown_zone', detail: 'the number belongs to no single region' };
  let zones: readonly string[] | undefined;
  let source: 'prefix' | 'region' = 'prefix';
  if (region === 'US' || region === 'CA') zones = nanpZones(input.nationalNumber);
  else if (region === 'AU') zones = australiaZones(input.nationalNumber);
  if (!zones) {
    zones = regionZones(region);
    source = 'region';
  }
  if (zones.length === 0) {
    return {
      ok: false,
      reason: 'unknown_zone',
      detail: `no time zone table for region ${region}: add a timezone column`,
    };
  }
  const key = zones.join('|');
  let spread = spreadCache.get(key);
  if (spread === undefined) {
    spread = zoneSpreadHours(zones, refMs);
    spreadCache.set(key, spread);
  }
  if (spread > maxSpreadHours) {
    return {
      ok: false,
      reason: 'unknown_zone',
      detail:
        `region ${region} spans ${zones.length} zones ${spread} h apart and this number does not say which: ` +
        'add a timezone column',
    };
  }
  return { ok: true, zones, source };
}
