/**
 * Small PCM16 helpers: zero-copy Buffer <-> Int16Array views (little-endian), levels (RMS, dBFS)
 * and saturating gain / mixing. Pure; no per-sample allocation.
 */
import { VoicebotError } from '../errors.ts';

/** True on little-endian hosts (every platform Node ships for today); big-endian hosts copy. */
const HOST_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Views little-endian PCM16 bytes as samples. Shares memory when the bytes start on an even
 * address (the common case); copies when `byteOffset` is odd, because an Int16Array cannot
 * start there. Throws AUDIO_BAD_FORMAT on an odd byte count (a split sample).
 */
export function bytesToInt16(bytes: Uint8Array): Int16Array {
  if (bytes.byteLength % 2 !== 0) {
    throw new VoicebotError(
      'AUDIO_BAD_FORMAT',
      `PCM16 data has an odd byte count (${bytes.byteLength}): a sample is split`,
      { byteLength: bytes.byteLength },
    );
  }
  const n = bytes.byteLength / 2;
  if (HOST_LE && bytes.byteOffset % 2 === 0) return new Int16Array(bytes.buffer, bytes.byteOffset, n);
  const out = new Int16Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < n; i++) out[i] = view.getInt16(i * 2, true);
  return out;
}

/** Views samples as little-endian bytes (a Buffer sharing memory on little-endian hosts). */
export function int16ToBytes(samples: Int16Array): Buffer {
  if (HOST_LE) return Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  const out = Buffer.allocUnsafe(samples.byteLength);
  for (let i = 0; i < samples.length; i++) out.writeInt16LE(samples[i]!, i * 2);
  return out;
}

/** Root mean square of the samples, in sample units (0..32768). 0 for an empty array. */
export function rms(samples: Int16Array): number {
  const n = samples.length;
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const s = samples[i]!;
    sum += s * s;
  }
  return Math.sqrt(sum / n);
}

/** Floor reported for digital silence, so callers never see -Infinity. */
export const SILENCE_DBFS = -120;

/** RMS level relative to full scale (32768 = 0 dBFS; a full-scale sine reads about -3 dBFS). */
export function dbfs(samples: Int16Array): number {
  const r = rms(samples);
  return r > 0 ? Math.max(SILENCE_DBFS, 20 * Math.log10(r / 32768)) : SILENCE_DBFS;
}

export function dbToGain(db: number): number {
  return 10 ** (db / 20);
}

/** Rounds and saturates to the int16 range. */
export function clamp16(v: number): number {
  const r = Math.round(v);
  return r > 32767 ? 32767 : Math.max(r, -32768);
}

/** Scales samples by a linear gain with saturation, in place unless `out` is given. */
export function applyGain(samples: Int16Array, gain: number, out: Int16Array = samples): Int16Array {
  for (let i = 0; i < samples.length; i++) out[i] = clamp16(samples[i]! * gain);
  return out;
}

/**
 * Adds `src * gain` into `dst` with saturation (in place). Mixes min(dst, src) samples starting
 * at `dstOffset`; returns how many were mixed.
 */
export function mixInto(dst: Int16Array, src: Int16Array, gain = 1, dstOffset = 0): number {
  const n = Math.max(0, Math.min(src.length, dst.length - dstOffset));
  for (let i = 0; i < n; i++) dst[dstOffset + i] = clamp16(dst[dstOffset + i]! + src[i]! * gain);
  return n;
}
