/**
 * Registered delivery addresses by caller ID, from a JSON file ({ "+8613800000001": { "name":
 * ..., "address": ... } }). Backs the voice-order dialog's `lookupAddress` actor in the demo and
 * tests. Numbers are compared in E.164 form (libphonenumber-js), so "138 0000 0001" with a
 * default country finds "+8613800000001".
 */
import { readFileSync } from 'node:fs';
import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';
import { z } from 'zod';
import { isVoicebotError, VoicebotError } from '../errors.ts';

const E164 = /^\+[1-9]\d{6,14}$/;

/** How an entry is written, for the messages about a bad file. */
const ENTRY_FORM = 'Each entry is "+E164": {"address": "...", "name": "..."} (name optional).';

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

  /** Reads and checks a customers file; CONFIG_INVALID names the file and each entry that is wrong. */
  static fromFile(path: string, defaultCountry: CountryCode = 'CN'): CustomerDirectory {
    try {
      return CustomerDirectory.fromJson(JSON.parse(readFileSync(path, 'utf8')), defaultCountry);
    } catch (err) {
      if (!isVoicebotError(err)) throw err;
      throw new VoicebotError('CONFIG_INVALID', `${path} is ${err.message}`, { ...err.details, path });
    }
  }

  /**
   * Checks parsed customers-file content. CONFIG_INVALID says what is wrong without naming a
   * file (`not a valid customer file: <problems>. <the entry form>`; details.problems lists them),
   * so the caller adds where the content came from.
   */
  static fromJson(data: unknown, defaultCountry: CountryCode = 'CN'): CustomerDirectory {
    const parsed = customersSchema(defaultCountry).safeParse(data);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) =>
        i.code === 'invalid_key' ? i.message : `${i.path.join('.')}: ${i.message}`,
      );
      throw new VoicebotError(
        'CONFIG_INVALID',
        `not a valid customer file: ${problems.join('; ')}. ${ENTRY_FORM}`,
        { problems },
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
