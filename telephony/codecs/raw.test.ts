import { describe, expect, it } from 'vitest';
import { VoicebotError } from '../../engine/errors.ts';
import { decodeRawAudio, parseRawControl, parseRawMetadata, rawOut } from './raw.ts';
import { loadWireFixtures } from './testing/wire-fixtures.ts';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof VoicebotError) return err.code;
    throw err;
  }
  return 'no error';
}

describe('raw codec: good wire fixtures', () => {
  const good = loadWireFixtures('raw', 'good');
  it('has fixtures', () => expect(good.length).toBeGreaterThanOrEqual(5));
  for (const f of good) {
    it(`${f.name}: ${f.description}`, () => {
      const parsed = f.kind === 'metadata' ? parseRawMetadata(f.text) : parseRawControl(f.text);
      expect(parsed).toEqual(f.expect);
    });
  }
});

describe('raw codec: bad wire fixtures', () => {
  const bad = loadWireFixtures('raw', 'bad');
  it('has fixtures', () => expect(bad.length).toBeGreaterThanOrEqual(8));
  for (const f of bad) {
    it(`${f.name}: ${f.description} -> ${f.expectCode}`, () => {
      const parse = f.kind === 'metadata' ? parseRawMetadata : parseRawControl;
      expect(codeOf(() => parse(f.text))).toBe(f.expectCode);
    });
  }
});

describe('decodeRawAudio', () => {
  it('reads little-endian PCM16 and copies it', () => {
    const bytes = Buffer.from([0x01, 0x00, 0xff, 0x7f, 0x00, 0x80]);
    const samples = decodeRawAudio(bytes);
    expect(Array.from(samples)).toEqual([1, 32767, -32768]);
    bytes[0] = 9;
    expect(samples[0]).toBe(1);
  });

  it('reads frames that start at an odd offset in a larger buffer', () => {
    const big = Buffer.alloc(9);
    big.writeInt16LE(-2, 1);
    big.writeInt16LE(300, 3);
    expect(Array.from(decodeRawAudio(big.subarray(1, 5)))).toEqual([-2, 300]);
  });

  it('refuses empty and odd-length frames', () => {
    expect(codeOf(() => decodeRawAudio(Buffer.alloc(0)))).toBe('WS_BAD_PAYLOAD');
    expect(codeOf(() => decodeRawAudio(Buffer.alloc(321)))).toBe('WS_BAD_PAYLOAD');
  });

  it('limits metadata to a sane number and size of extra keys', () => {
    const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v']));
    expect(codeOf(() => parseRawMetadata(JSON.stringify({ sampleRate: 8000, ...many })))).toBe(
      'WS_BAD_START',
    );
    expect(codeOf(() => parseRawMetadata(JSON.stringify({ sampleRate: 8000, k: 'x'.repeat(3000) })))).toBe(
      'WS_BAD_START',
    );
  });
});

describe('raw outbound messages', () => {
  it('match docs/protocols.md', () => {
    expect(JSON.parse(rawOut.mark('m1'))).toEqual({ type: 'mark', data: { name: 'm1' } });
    expect(JSON.parse(rawOut.killAudio())).toEqual({ type: 'killAudio' });
    expect(JSON.parse(rawOut.transfer({ target: 'sip:agent@pbx', reason: 'asked' }))).toEqual({
      type: 'transfer',
      data: { target: 'sip:agent@pbx', reason: 'asked' },
    });
    expect(JSON.parse(rawOut.disconnect('bot'))).toEqual({ type: 'disconnect', data: { reason: 'bot' } });
  });
});
