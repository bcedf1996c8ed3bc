import { describe, expect, it } from 'vitest';
import { VoicebotError } from '../errors.ts';
import {
  applyGain,
  bytesToInt16,
  clamp16,
  dbfs,
  dbToGain,
  int16ToBytes,
  mixInto,
  rms,
  SILENCE_DBFS,
} from './pcm.ts';

describe('bytesToInt16 / int16ToBytes', () => {
  it('shares memory when the bytes are aligned', () => {
    const buf = Buffer.from([0x01, 0x00, 0xff, 0xff, 0x00, 0x80]);
    const s = bytesToInt16(buf);
    expect(Array.from(s)).toEqual([1, -1, -32768]);
    expect(s.buffer).toBe(buf.buffer);
    s[0] = 2;
    expect(buf[0]).toBe(2);
  });

  it('copies (correctly) when byteOffset is odd', () => {
    const backing = new Uint8Array([0xaa, 0x34, 0x12, 0xcc, 0xfe]);
    const odd = backing.subarray(1, 5);
    expect(odd.byteOffset % 2).toBe(1);
    const s = bytesToInt16(odd);
    expect(Array.from(s)).toEqual([0x1234, -308]);
    expect(s.buffer).not.toBe(backing.buffer);
  });

  it('rejects an odd byte count with AUDIO_BAD_FORMAT', () => {
    const err = (() => {
      try {
        bytesToInt16(new Uint8Array(3));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(VoicebotError);
    expect((err as VoicebotError).code).toBe('AUDIO_BAD_FORMAT');
    expect((err as VoicebotError).message).toMatch(/odd byte count \(3\)/);
  });

  it('round-trips samples as little-endian bytes without copying', () => {
    const s = new Int16Array([0, 1, -2, 32767, -32768]);
    const b = int16ToBytes(s.subarray(1));
    expect(Array.from(b)).toEqual([1, 0, 0xfe, 0xff, 0xff, 0x7f, 0x00, 0x80]);
    expect(b.buffer).toBe(s.buffer);
    expect(Array.from(bytesToInt16(b))).toEqual([1, -2, 32767, -32768]);
  });
});

describe('levels and gain', () => {
  it('computes RMS and dBFS', () => {
    expect(rms(new Int16Array(0))).toBe(0);
    expect(rms(new Int16Array([3, -3, 3, -3]))).toBe(3);
    expect(dbfs(new Int16Array(10))).toBe(SILENCE_DBFS);
    const sine = new Int16Array(8000).map((_, i) =>
      Math.round(32767 * Math.sin((2 * Math.PI * 1000 * i) / 8000)),
    );
    expect(dbfs(sine)).toBeCloseTo(-3.01, 1);
    expect(dbToGain(-6.0206)).toBeCloseTo(0.5, 4);
  });

  it('saturates gain and mixing instead of wrapping', () => {
    expect(clamp16(40000)).toBe(32767);
    expect(clamp16(-40000)).toBe(-32768);
    expect(Array.from(applyGain(new Int16Array([1000, -20000, 30000]), 2))).toEqual([2000, -32768, 32767]);
    const dst = new Int16Array([100, 30000, 0, 0]);
    expect(mixInto(dst, new Int16Array([1, 10000, 5, 6, 7]), 1, 0)).toBe(4);
    expect(Array.from(dst)).toEqual([101, 32767, 5, 6]);
    expect(mixInto(dst, new Int16Array([10, 10]), 0.5, 3)).toBe(1);
    expect(dst[3]).toBe(11);
  });
});
