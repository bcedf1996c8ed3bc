import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';

export type NormalizedNumber =
  | { ok: true; e164: string; region: string | undefined; nationalNumber: string }
  | { ok: false; detail: string };

/**
 * E.164 form of a number written by a person ("(415) 555-2671", "+44 20 7946 0018"), checked
 * against the numbering plan. Numbers without a country code are read in `defaultRegion`.
 */
export function normalizeNumber(raw: string, defaultRegion: string): NormalizedNumber {
  const text = raw.trim();
  if (!text) return { ok: false, detail: 'empty number' };
  if (text.length > 40) return { ok: false, detail: 'longer than any phone number' };
  const parsed = parsePhoneNumberFromString(text, defaultRegion as CountryCode);
  if (!parsed) return { ok: false, detail: `not a phone number (read with default region ${defaultRegion})` };
  if (!parsed.isValid()) {
    const plan = parsed.country ?? `+${parsed.countryCallingCode}`;
    return { ok: false, detail: `not a valid number in the ${plan} numbering plan` };
  }
  return { ok: true, e164: parsed.number, region: parsed.country, nationalNumber: parsed.nationalNumber };
}

/** True for an ISO 3166 region that libphonenumber-js has a numbering plan for. */
export function isKnownRegion(region: string): boolean {
  return isSupportedCountry(region);
}
