import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isVoicebotError } from '../../engine/errors.ts';
import { parseJsonObject, parseTwilioMessage, parseTwilioObject } from './twilio.ts';
import { scanMedia } from './twilio-media-scan.ts';

/** What a parse gives, comparable across paths: the message (payload as numbers) or the error. */
function outcome(parse: () => unknown): unknown {
  try {
    const msg = parse() as { payload?: Uint8Array };
    return msg.payload ? { ...msg, payload: [...msg.payload] } : msg;
  } catch (err) {
    if (!isVoicebotError(err)) throw err;
    return { code: err.code, message: err.message };
  }
}

function sameAsJsonParse(text: string): void {
  const scratch = Buffer.alloc(4096);
  expect(outcome(() => parseTwilioMessage(text, scratch))).toEqual(
    outcome(() => parseTwilioObject(parseJsonObject(text))),
  );
}

const twilioMedia = (payload: string, extra = '') =>
  `{"event":"media","sequenceNumber":"4","media":{"track":"inbound","chunk":"2","timestamp":"20","payload":"${payload}"${extra}},"streamSid":"MZ123"}`;
const b64 = Buffer.from(Uint8Array.from({ length: 160 }, (_, i) => (i * 37) & 0xff)).toString('base64');

describe('scanMedia (the media fast path)', () => {
  it("reads Twilio's media message", () => {
    expect(scanMedia(twilioMedia(b64))).toEqual({ payload: b64, track: 'inbound' });
    sameAsJsonParse(twilioMedia(b64));
  });

  it('steps aside for anything outside its subset', () => {
    for (const text of [
      twilioMedia(b64).replace(':"4"', ': "4"'), // whitespace
      twilioMedia(b64).replace('"4"', '4'), // a number
      twilioMedia(b64).replace('MZ123', 'MZ\\u0031'), // an escape
      twilioMedia(b64).replace('{"event":"media",', '{"event":"media","event":"media",'), // repeated key
      twilioMedia(b64, ',"payload":"AAAA"'),
      twilioMedia(b64).replace('"track":"inbound"', '"track":"inbound","track":"outbound"'),
      twilioMedia(b64).replace('"event":"media"', '"event":"mark"'),
      '{"event":"media"}',
      '{"event":"media","media":"x"}',
      twilioMedia(b64).slice(0, -1),
      `${twilioMedia(b64)} `,
    ]) {
      expect(scanMedia(text), text).toBeNull();
      sameAsJsonParse(text);
    }
  });

  it('gives the same message or error as JSON.parse for generated near-Twilio texts', () => {
    const str = fc.oneof(
      fc.constantFrom(
        'media',
        'inbound',
        'outbound',
        '',
        b64,
        'AAAA',
        'AA==',
        'A',
        '====',
        '"',
        '\\',
        '\u0001',
        'é☎',
      ),
      fc.string({ maxLength: 8 }),
    );
    const key = fc.constantFrom('event', 'media', 'payload', 'track', 'streamSid', 'chunk', '__proto__', '');
    const scalar = fc.oneof(
      str.map((s) => JSON.stringify(s)),
      str.map((s) => `"${s}"`), // raw: may break JSON
      fc.constantFrom('1', 'null', 'true', '[]', '{}'),
    );
    const object = (value: fc.Arbitrary<string>) =>
      fc
        .array(fc.tuple(key, value), { maxLength: 6 })
        .map((members) => `{${members.map(([k, v]) => `"${k}":${v}`).join(',')}}`);
    const text = object(fc.oneof(scalar, object(scalar)));
    fc.assert(fc.property(text, sameAsJsonParse), { numRuns: 3000 });
  });

  it('gives the same outcome for arbitrary edits of a media message', () => {
    const base = twilioMedia(b64);
    fc.assert(
      fc.property(fc.nat(base.length), fc.nat(3), fc.string({ maxLength: 3 }), (at, drop, insert) => {
        sameAsJsonParse(base.slice(0, at) + insert + base.slice(at + drop));
      }),
      { numRuns: 3000 },
    );
  });
});
