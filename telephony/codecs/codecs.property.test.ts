import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VoicebotError } from '../../engine/errors.ts';
import { decodeRawAudio, parseRawControl, parseRawMetadata } from './raw.ts';
import { parseTwilioMessage } from './twilio.ts';

/** Anything a peer sends either parses or raises a WS_* VoicebotError: never a TypeError. */
function onlyWsErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(VoicebotError);
    expect((err as VoicebotError).code).toMatch(/^WS_/);
  }
}

const events = fc.constantFrom(
  'connected',
  'start',
  'media',
  'dtmf',
  'mark',
  'stop',
  'hangup',
  'transferred',
  'x',
);
/** JSON objects shaped like real messages, with random values in every field. */
const messageLike = fc.record(
  {
    event: events,
    streamSid: fc.jsonValue(),
    start: fc.oneof(
      fc.jsonValue(),
      fc.record({
        streamSid: fc.jsonValue(),
        callSid: fc.jsonValue(),
        accountSid: fc.jsonValue(),
        tracks: fc.jsonValue(),
        customParameters: fc.jsonValue(),
        mediaFormat: fc.oneof(
          fc.jsonValue(),
          fc.record({ encoding: fc.jsonValue(), sampleRate: fc.jsonValue(), channels: fc.jsonValue() }),
        ),
      }),
    ),
    media: fc.oneof(
      fc.jsonValue(),
      fc.record({ payload: fc.oneof(fc.string(), fc.base64String(), fc.jsonValue()) }),
    ),
    dtmf: fc.jsonValue(),
    mark: fc.oneof(fc.jsonValue(), fc.record({ name: fc.jsonValue() })),
    sampleRate: fc.oneof(fc.constantFrom(8000, 16000, '8000'), fc.jsonValue()),
    callSid: fc.jsonValue(),
    from: fc.jsonValue(),
    direction: fc.jsonValue(),
    ok: fc.jsonValue(),
    detail: fc.jsonValue(),
    duration: fc.jsonValue(),
  },
  { requiredKeys: [] },
);

describe('codecs never fail with anything but a WS_* error', () => {
  it('on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        onlyWsErrors(() => parseTwilioMessage(text));
        onlyWsErrors(() => parseRawMetadata(text));
        onlyWsErrors(() => parseRawControl(text));
      }),
      { numRuns: 500 },
    );
  });

  it('on message-shaped JSON with random field values', () => {
    fc.assert(
      fc.property(messageLike, (msg) => {
        const text = JSON.stringify(msg);
        onlyWsErrors(() => parseTwilioMessage(text));
        onlyWsErrors(() => parseRawMetadata(text));
        onlyWsErrors(() => parseRawControl(text));
      }),
      { numRuns: 1000 },
    );
  });

  it('on arbitrary binary audio frames', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        onlyWsErrors(() => decodeRawAudio(bytes));
      }),
    );
  });
});
