/**
 * Registered delivery addresses by caller ID, from a JSON file ({ "+8613800000001": { "name":
 * ..., "address": ... } }). Backs the voice-order dialog's `lookupAddress` actor in the demo and
 * tests. Numbers are compared in E.164 form (libphonenumber-js), so "138 0000 0001" with a
 * default country finds "+8613800000001".
 */
import { readFileSync } from 'node:fs';
import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';
import { z } from 'zod';
import { VoicebotError } from '../errors.ts';

const E164 = /^\+[1-9]\d{6,14}$/;

/** What a key that is not an E.164 number should be, in words; with its E.164 form when it has one. */
function keyProblem(key: string, defaultCountry: CountryCode): string {
  const phone = parsePhoneNumberFromString(key, defaultCountry);
  const e164 = phone?.isValid() ? phone.number : undefined;
  const fix = e164
    ? `write it as "${e164}"`
    : 'write the number in E.164 form: "+", the country code and the number, no spaces (e.g. "+8613800000001")';
  return `the key "${key}" is not a phone number in E.164 form; ${fix}`;
}

function customersSchema(defaultCountry: CountryCode) {
  return z.record(
    z.string().regex(E164),
    z.strictObject({ name: z.string().min(1).optional(), address: z.string().trim().min(3) }),
    {
      error: (iss) =>
        iss.code === 'invalid_key' && typeof iss.input === 'string'
          ? keyProblem(iss.input, defaultCountry)
          : undefined,
    },
  );
}

export class CustomerDirectory {
  constructor(
    private readonly byNumber: Record<string, { name?: string; address: string }>,
    private readonly defaultCountry: CountryCode = 'CN',
  ) {}

  static fromFile(path: string, defaultCountry: CountryCode = 'CN'): CustomerDirectory {
    const parsed = customersSchema(defaultCountry).safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) =>
        i.code === 'invalid_key' ? i.message : `${i.path.join('.')}: ${i.message}`,
      );
      throw new VoicebotError(
        'CONFIG_INVALID',
        `${path} is not a valid customer file: ${problems.join('; ')}`,
        {
          problems,
        },
      );
    }
    return new CustomerDirectory(parsed.data, defaultCountry);
  }

  /** The registered address of a caller ID, or null (unknown, withheld or not a number). */
  async lookupAddress(callerId: string | undefined): Promise<string | null> {
    if (!callerId) return null;
    const e164 = parsePhoneNumberFromString(callerId, this.defaultCountry)?.number;
    return (e164 && this.byNumber[e164]?.address) || null;
  }
}
