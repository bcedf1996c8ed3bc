import { describe, expect, it } from 'vitest';
import { mulawDecode } from '../../engine/audio/g711.ts';
import { VoicebotError } from '../../engine/errors.ts';
import { loadWireFixtures } from './testing/wire-fixtures.ts';
import { decodeBase64Strict, parseTwilioMessage, TwilioEncoder } from './twilio.ts';

describe('parseTwilioMessage: good wire fixtures', () => {
  const good = loadWireFixtures('twilio', 'good');
  it('has fixtures', () => expect(good.length).toBeGreaterThanOrEqual(6));
  for (const f of good) {
    it(`${f.name}: ${f.description}`, () => {
      const msg = parseTwilioMessage(f.text);
      if (msg.event === 'media') {
        const { payloadBytes, ...rest } = f.expect as { payloadBytes: number };
        expect(msg).toMatchObject(rest);
        expect(msg.payload.byteLength).toBe(payloadBytes);
      } else {
        expect(msg).toEqual(f.expect);
      }
    });
  }
});

describe('parseTwilioMessage: bad wire fixtures', () => {
  const bad = loadWireFixtures('twilio', 'bad');
  it('has fixtures', () => expect(bad.length).toBeGreaterThanOrEqual(10));
  for (const f of bad) {
    it(`${f.name}: ${f.description} -> ${f.expectCode}`, () => {
      let caught: unknown;
      try {
        parseTwilioMessage(f.text);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(VoicebotError);
      expect((caught as VoicebotError).code).toBe(f.expectCode);
      // The message names the problem, never the payload contents.
      expect((caught as VoicebotError).message).not.toContain('!!!!');
    });
  }
});

describe('TwilioEncoder', () => {
  const enc = new TwilioEncoder('MZ"odd');
  it('builds media, mark and clear messages that parse back as JSON', () => {
    const bytes = new Uint8Array(160).fill(0xff);
    const media = JSON.parse(enc.media(bytes));
    expect(media).toEqual({
      event: 'media',
      streamSid: 'MZ"odd',
      media: { payload: Buffer.from(bytes).toString('base64') },
    });
    expect(Array.from(mulawDecode(Buffer.from(media.media.payload, 'base64'))).every((s) => s === 0)).toBe(
      true,
    );
    expect(JSON.parse(enc.mark('utt-"1"'))).toEqual({
      event: 'mark',
      streamSid: 'MZ"odd',
      mark: { name: 'utt-"1"' },
    });
    expect(JSON.parse(enc.clear())).toEqual({ event: 'clear', streamSid: 'MZ"odd' });
  });

  it('encodes a view into a larger buffer without leaking the rest of it', () => {
    const big = new Uint8Array(400).fill(1);
    big.fill(7, 100, 260);
    const media = JSON.parse(enc.media(big.subarray(100, 260)));
    expect(Buffer.from(media.media.payload, 'base64')).toEqual(Buffer.alloc(160, 7));
  });
});

describe('decodeBase64Strict', () => {
  it('accepts every byte value and refuses characters outside the alphabet', () => {
    const all = new Uint8Array(256).map((_, i) => i);
    for (let len = 1; len <= 8; len++) {
      const b64 = Buffer.from(all.subarray(0, len)).toString('base64');
      expect(Array.from(decodeBase64Strict(b64, 'p'))).toEqual(Array.from(all.subarray(0, len)));
    }
    for (const bad of ['AA A', 'AA\nA', 'A===', '====', '$$$$', 'AAAA$AAA', 'AAA']) {
      expect(() => decodeBase64Strict(bad, 'p'), bad).toThrow(/not valid base64/);
    }
  });
});
