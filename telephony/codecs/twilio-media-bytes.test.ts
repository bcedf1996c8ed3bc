import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64Into, TwilioEncoder } from './twilio.ts';

describe('TwilioEncoder.mediaBytes', () => {
  it('is byte for byte the UTF-8 of media() for any payload length and stream id', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.string({ maxLength: 40 }), (mulaw, sid) => {
        const enc = new TwilioEncoder(sid);
        expect(enc.mediaBytes(mulaw).toString('utf8')).toBe(enc.media(mulaw));
      }),
      { numRuns: 300 },
    );
  });

  it('encodes a 160-byte frame as Twilio expects', () => {
    const mulaw = Uint8Array.from({ length: 160 }, (_, i) => (i * 37) & 0xff);
    const msg = JSON.parse(new TwilioEncoder('MZ1').mediaBytes(mulaw).toString('utf8'));
    expect(msg.event).toBe('media');
    expect(msg.streamSid).toBe('MZ1');
    expect([...Buffer.from(msg.media.payload, 'base64')]).toEqual([...mulaw]);
  });
});

describe('base64Into', () => {
  it('matches Buffer base64 with padding at an offset', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 159, 160, 161]) {
      const src = Uint8Array.from({ length: n }, (_, i) => (i * 101 + 7) & 0xff);
      const dst = Buffer.alloc(5 + Math.ceil(n / 3) * 4);
      const end = base64Into(src, dst, 5);
      expect(end).toBe(dst.length);
      expect(dst.subarray(5).toString('latin1')).toBe(Buffer.from(src).toString('base64'));
    }
  });
});
