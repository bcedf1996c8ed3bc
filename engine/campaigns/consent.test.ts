import { describe, expect, it } from 'vitest';
import { consentRequired, hasConsent, parseConsent } from './consent.ts';

const NOW = Date.parse('2026-06-10T14:00:00Z');

describe('consent values', () => {
  it.each([
    ['yes', true, 'yes'],
    [' Y ', true, 'yes'],
    ['TRUE', true, 'yes'],
    ['1', true, 'yes'],
    ['no', false, 'no'],
    ['False', false, 'no'],
    ['0', false, 'no'],
    ['', false, 'no'],
    ['2026-06-10', true, '2026-06-10'],
    ['2026-06-11', true, '2026-06-11'], // already the 11th in zones east of UTC
    ['2024-02-29', true, '2024-02-29'],
    ['2026-06-01T09:30:00-04:00', true, '2026-06-01T13:30:00.000Z'],
    ['2026-06-01t09:30z', true, '2026-06-01T09:30:00.000Z'],
  ])('%j -> given %s, stored as %j', (raw, given, normalized) => {
    expect(parseConsent(raw, NOW)).toEqual({ ok: true, given, normalized });
  });

  it.each([
    ['maybe', 'is not yes/no'],
    ['2026-02-30', 'not a calendar date'],
    ['2025-02-29', 'not a calendar date'],
    ['2026-06-12', 'in the future'],
    ['2026-06-10T15:00:00Z', 'in the future'],
    ['2026-06-01T25:00:00Z', 'not a valid date and time'],
    ['2026-06-01T09:30', 'is not yes/no'], // a time needs its zone
    ['10/06/2026', 'is not yes/no'],
  ])('%j is rejected (%s)', (raw, why) => {
    const r = parseConsent(raw, NOW);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.detail).toContain(why);
  });

  it('is required for marketing calls under the US and CN profiles only', () => {
    expect(consentRequired({ purpose: 'marketing', compliance: 'US' })).toBe(true);
    expect(consentRequired({ purpose: 'marketing', compliance: 'CN' })).toBe(true);
    expect(consentRequired({ purpose: 'marketing', compliance: 'UK' })).toBe(false);
    expect(consentRequired({ purpose: 'marketing', compliance: 'none' })).toBe(false);
    expect(consentRequired({ purpose: 'informational', compliance: 'US' })).toBe(false);
  });

  it('reads the consent variable of a contact', () => {
    expect(hasConsent({ consent: 'yes' }, NOW)).toBe(true);
    expect(hasConsent({ consent: '2026-01-01' }, NOW)).toBe(true);
    expect(hasConsent({ consent: 'no' }, NOW)).toBe(false);
    expect(hasConsent({ consent: 'garbage' }, NOW)).toBe(false);
    expect(hasConsent({ name: 'Ada' }, NOW)).toBe(false);
    // Consent dated later than the call is no consent at the time of the call.
    expect(hasConsent({ consent: '2026-07-01T00:00:00.000Z' }, NOW)).toBe(false);
  });
});
