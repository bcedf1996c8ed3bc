/**
 * G.711 mu-law (PCMU) and A-law (PCMA), ITU-T G.711 segment arithmetic (the classic Sun
 * reference algorithm, which sox and most PBXs use). Pure; encode and decode are table lookups
 * built once at load (64 KiB per law), because this runs for every frame of every call.
 *
 * PCM16 is reduced to the law's input width (14 bits mu-law, 13 bits A-law) by rounding to the
 * nearest value, saturating at the top, exactly as sox does; plain truncation (`>> 2`) picks the
 * farther code at decision boundaries. The tests check all 65536 inputs byte for byte against sox.
 */

const SIGN_BIT = 0x80;
const QUANT_MASK = 0x0f;
const SEG_SHIFT = 4;
const SEG_MASK = 0x70;
const BIAS = 0x84;
const CLIP = 8159;
const SEG_UEND = [0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff];
const SEG_AEND = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];

function segment(value: number, table: number[]): number {
  for (let i = 0; i < table.length; i++) if (value <= table[i]!) return i;
  return table.length;
}

/** Rounds PCM16 to `bits` bits (half up), saturating at the positive end, like sox. */
function roundToBits(pcm: number, bits: number): number {
  const shift = 16 - bits;
  const v = (pcm + (1 << (shift - 1))) >> shift;
  const max = (1 << (bits - 1)) - 1;
  return Math.min(v, max);
}

function linearToUlawSlow(pcm: number): number {
  let v = roundToBits(pcm, 14);
  let mask = 0xff;
  if (v < 0) {
    v = -v;
    mask = 0x7f;
  }
  if (v > CLIP) v = CLIP;
  v += BIAS >> 2;
  const seg = segment(v, SEG_UEND);
  if (seg >= 8) return 0x7f ^ mask;
  return ((seg << 4) | ((v >> (seg + 1)) & 0xf)) ^ mask;
}

function ulawToLinearSlow(u: number): number {
  const x = ~u & 0xff;
  let t = ((x & QUANT_MASK) << 3) + BIAS;
  t <<= (x & SEG_MASK) >> SEG_SHIFT;
  return x & SIGN_BIT ? BIAS - t : t - BIAS;
}

function linearToAlawSlow(pcm: number): number {
  let v = roundToBits(pcm, 13);
  let mask: number;
  if (v >= 0) mask = 0xd5;
  else {
    mask = 0x55;
    v = -v - 1;
  }
  const seg = segment(v, SEG_AEND);
  if (seg >= 8) return 0x7f ^ mask;
  let a = seg << SEG_SHIFT;
  a |= seg < 2 ? (v >> 1) & QUANT_MASK : (v >> seg) & QUANT_MASK;
  return a ^ mask;
}

function alawToLinearSlow(a: number): number {
  const x = a ^ 0x55;
  let t = (x & QUANT_MASK) << 4;
  const seg = (x & SEG_MASK) >> SEG_SHIFT;
  if (seg === 0) t += 8;
  else if (seg === 1) t += 0x108;
  else t = (t + 0x108) << (seg - 1);
  return x & SIGN_BIT ? t : -t;
}

const ULAW_ENCODE = new Uint8Array(65536);
const ALAW_ENCODE = new Uint8Array(65536);
const ULAW_DECODE = new Int16Array(256);
const ALAW_DECODE = new Int16Array(256);
for (let i = 0; i < 65536; i++) {
  const pcm = i >= 32768 ? i - 65536 : i;
  ULAW_ENCODE[i] = linearToUlawSlow(pcm);
  ALAW_ENCODE[i] = linearToAlawSlow(pcm);
}
for (let i = 0; i < 256; i++) {
  ULAW_DECODE[i] = ulawToLinearSlow(i);
  ALAW_DECODE[i] = alawToLinearSlow(i);
}

export type G711Law = 'mulaw' | 'alaw';

export function mulawEncode(samples: Int16Array, out = new Uint8Array(samples.length)): Uint8Array {
  for (let i = 0; i < samples.length; i++) out[i] = ULAW_ENCODE[samples[i]! & 0xffff]!;
  return out;
}

export function mulawDecode(bytes: Uint8Array, out = new Int16Array(bytes.length)): Int16Array {
  for (let i = 0; i < bytes.length; i++) out[i] = ULAW_DECODE[bytes[i]!]!;
  return out;
}

export function alawEncode(samples: Int16Array, out = new Uint8Array(samples.length)): Uint8Array {
  for (let i = 0; i < samples.length; i++) out[i] = ALAW_ENCODE[samples[i]! & 0xffff]!;
  return out;
}

export function alawDecode(bytes: Uint8Array, out = new Int16Array(bytes.length)): Int16Array {
  for (let i = 0; i < bytes.length; i++) out[i] = ALAW_DECODE[bytes[i]!]!;
  return out;
}

export function g711Encode(law: G711Law, samples: Int16Array): Uint8Array {
  return law === 'mulaw' ? mulawEncode(samples) : alawEncode(samples);
}

export function g711Decode(law: G711Law, bytes: Uint8Array): Int16Array {
  return law === 'mulaw' ? mulawDecode(bytes) : alawDecode(bytes);
}

/** Silence bytes: mu-law 0xFF, A-law 0xD5. */
export const G711_SILENCE: Record<G711Law, number> = { mulaw: 0xff, alaw: 0xd5 };
