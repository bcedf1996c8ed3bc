/**
 * WAV (RIFF/WAVE) reading and writing. Pure: bytes in, samples out.
 *
 * Reads PCM (8-bit unsigned, 16, 24, 32-bit), IEEE float (32, 64-bit), G.711 A-law (format 6)
 * and mu-law (format 7), plain or WAVE_FORMAT_EXTENSIBLE; any channel count is averaged down to
 * mono PCM16. Unknown chunks (LIST, fact, cue, ...) are skipped. Anything malformed raises
 * AUDIO_BAD_FORMAT naming what is wrong and where. Writes PCM16 mono, or mu-law / A-law mono.
 */
import { VoicebotError } from '../errors.ts';
import { alawDecode, alawEncode, mulawDecode, mulawEncode } from './g711.ts';
import { clamp16 } from './pcm.ts';

export type WavEncoding = 'pcm' | 'float' | 'alaw' | 'mulaw';

export interface WavInfo {
  encoding: WavEncoding;
  sampleRate: number;
  /** Channels in the file (the samples returned are always mono). */
  channels: number;
  bitsPerSample: number;
  /** Number of sample frames (per channel). */
  frames: number;
}

export interface WavAudio extends WavInfo {
  /** Mono PCM16 (channels averaged). */
  samples: Int16Array;
}

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_ALAW = 6;
const FORMAT_MULAW = 7;
const FORMAT_EXTENSIBLE = 0xfffe;
const MAX_CHANNELS = 64;

function bad(message: string, details: Record<string, unknown> = {}): VoicebotError {
  return new VoicebotError('AUDIO_BAD_FORMAT', `WAV: ${message}`, details);
}

function fourcc(b: Uint8Array, at: number): string {
  return String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);
}

function printable(id: string): string {
  return /^[\x20-\x7e]{4}$/.test(id) ? `'${id}'` : `0x${Buffer.from(id, 'latin1').toString('hex')}`;
}

interface Fmt {
  encoding: WavEncoding;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  blockAlign: number;
}

function parseFmt(view: DataView, at: number, size: number): Fmt {
  if (size < 16) throw bad(`'fmt ' chunk at byte ${at} is ${size} bytes, needs at least 16`, { at, size });
  let tag = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const sampleRate = view.getUint32(at + 4, true);
  const blockAlign = view.getUint16(at + 12, true);
  const bitsPerSample = view.getUint16(at + 14, true);
  if (tag === FORMAT_EXTENSIBLE) {
    if (size < 40) throw bad(`WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk is ${size} bytes, needs 40`, { size });
    tag = view.getUint16(at + 24, true); // first two bytes of the sub-format GUID
  }
  const encoding =
    tag === FORMAT_PCM
      ? 'pcm'
      : tag === FORMAT_FLOAT
        ? 'float'
        : tag === FORMAT_ALAW
          ? 'alaw'
          : tag === FORMAT_MULAW
            ? 'mulaw'
            : undefined;
  if (!encoding) {
    throw bad(
      `unsupported format tag 0x${tag.toString(16).padStart(4, '0')} (supported: PCM 1, float 3, A-law 6, mu-law 7); convert with: sox in.wav -e signed -b 16 out.wav`,
      { formatTag: tag },
    );
  }
  if (channels < 1 || channels > MAX_CHANNELS) {
    throw bad(`channel count ${channels} is out of range 1..${MAX_CHANNELS}`, { channels });
  }
  if (sampleRate < 1000 || sampleRate > 384000) {
    throw bad(`sample rate ${sampleRate} Hz is out of range 1000..384000`, { sampleRate });
  }
  const okBits =
    encoding === 'pcm'
      ? [8, 16, 24, 32].includes(bitsPerSample)
      : encoding === 'float'
        ? bitsPerSample === 32 || bitsPerSample === 64
        : bitsPerSample === 8;
  if (!okBits) throw bad(`${bitsPerSample} bits per sample is not valid for ${encoding}`, { bitsPerSample });
  const expectAlign = (channels * bitsPerSample) / 8;
  if (blockAlign !== expectAlign) {
    throw bad(`block align ${blockAlign} does not match ${channels} channels x ${bitsPerSample} bits`, {
      blockAlign,
      expected: expectAlign,
    });
  }
  return { encoding, channels, sampleRate, bitsPerSample, blockAlign };
}

/** Parses the header and locates the audio; throws AUDIO_BAD_FORMAT on anything malformed. */
function locate(bytes: Uint8Array): { fmt: Fmt; dataAt: number; dataSize: number } {
  if (bytes.length < 12) throw bad(`file is ${bytes.length} bytes, too short for a RIFF header (12)`);
  const riff = fourcc(bytes, 0);
  if (riff !== 'RIFF') {
    throw bad(`not a RIFF file (starts with ${printable(riff)}, expected 'RIFF')`, { magic: riff });
  }
  const wave = fourcc(bytes, 8);
  if (wave !== 'WAVE') throw bad(`RIFF form is ${printable(wave)}, expected 'WAVE'`, { form: wave });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let fmt: Fmt | undefined;
  let at = 12;
  while (at + 8 <= bytes.length) {
    const id = fourcc(bytes, at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      if (body + size > bytes.length) throw bad(`'fmt ' chunk at byte ${at} runs past the end of the file`);
      fmt = parseFmt(view, body, size);
    } else if (id === 'data') {
      if (!fmt) throw bad(`'data' chunk at byte ${at} comes before the 'fmt ' chunk`, { at });
      let dataSize = size;
      const left = bytes.length - body;
      // Streaming writers that never went back to fix the size leave 0 or 0xFFFFFFFF.
      if (size === 0xffffffff || (size === 0 && left > 0)) dataSize = left - (left % fmt.blockAlign);
      else if (size > left) {
        throw bad(`'data' chunk declares ${size} bytes but only ${left} remain: the file is truncated`, {
          declared: size,
          available: left,
        });
      }
      if (dataSize % fmt.blockAlign !== 0) {
        throw bad(`'data' size ${dataSize} is not a whole number of ${fmt.blockAlign}-byte sample frames`, {
          dataSize,
          blockAlign: fmt.blockAlign,
        });
      }
      return { fmt, dataAt: body, dataSize };
    } else if (!/^[\x20-\x7e]{4}$/.test(id)) {
      throw bad(`chunk id ${printable(id)} at byte ${at} is not text: the file is corrupt`, { at });
    }
    at = body + size + (size & 1);
  }
  if (!fmt) throw bad(`no 'fmt ' chunk found (the file is truncated or not a WAV)`);
  throw bad(`no 'data' chunk found after the 'fmt ' chunk (the file is truncated)`);
}

/** Reads the header only. */
export function readWavInfo(bytes: Uint8Array): WavInfo {
  const { fmt, dataSize } = locate(bytes);
  return {
    encoding: fmt.encoding,
    sampleRate: fmt.sampleRate,
    channels: fmt.channels,
    bitsPerSample: fmt.bitsPerSample,
    frames: dataSize / fmt.blockAlign,
  };
}

/** Full-scale float (+-1.0) to PCM16, saturating; NaN (corrupt float data) becomes 0. */
function floatTo16(f: number): number {
  return Number.isNaN(f) ? 0 : clamp16(f * 32768);
}

/** Decodes a WAV file to mono PCM16. */
export function readWav(bytes: Uint8Array): WavAudio {
  const { fmt, dataAt, dataSize } = locate(bytes);
  const { channels, bitsPerSample, encoding } = fmt;
  const frames = dataSize / fmt.blockAlign;
  const view = new DataView(bytes.buffer, bytes.byteOffset + dataAt, dataSize);
  const data = bytes.subarray(dataAt, dataAt + dataSize);
  const out = new Int16Array(frames);
  // Interleaved sample i in PCM16 units (fractional until the final rounding).
  let getter: (i: number) => number;
  if (encoding === 'mulaw' || encoding === 'alaw') {
    const decoded = encoding === 'mulaw' ? mulawDecode(data) : alawDecode(data);
    getter = (i) => decoded[i]!;
  } else if (encoding === 'float') {
    getter =
      bitsPerSample === 32
        ? (i) => view.getFloat32(i * 4, true) * 32768
        : (i) => view.getFloat64(i * 8, true) * 32768;
  } else if (bitsPerSample === 8) getter = (i) => (data[i]! - 128) * 256;
  else if (bitsPerSample === 16) getter = (i) => view.getInt16(i * 2, true);
  else if (bitsPerSample === 24) {
    getter = (i) => (((data[i * 3 + 2]! << 24) >> 8) | (data[i * 3 + 1]! << 8) | data[i * 3]!) / 256;
  } else getter = (i) => view.getInt32(i * 4, true) / 65536;

  if (channels === 1 && encoding === 'pcm' && bitsPerSample === 16) {
    for (let i = 0; i < frames; i++) out[i] = view.getInt16(i * 2, true);
  } else if (channels === 1) {
    for (let i = 0; i < frames; i++) out[i] = floatTo16(getter(i) / 32768);
  } else {
    for (let f = 0, i = 0; f < frames; f++) {
      let sum = 0;
      for (let c = 0; c < channels; c++, i++) sum += getter(i);
      out[f] = floatTo16(sum / channels / 32768);
    }
  }
  return {
    samples: out,
    encoding,
    sampleRate: fmt.sampleRate,
    channels,
    bitsPerSample,
    frames,
  };
}

export interface WriteWavOptions {
  /** 'pcm' writes 16-bit PCM (default); 'mulaw' / 'alaw' write 8-bit G.711. */
  encoding?: 'pcm' | 'mulaw' | 'alaw';
}

/** Writes mono audio as a WAV file: PCM16, or G.711 (with the 18-byte fmt and a fact chunk). */
export function writeWav(samples: Int16Array, sampleRate: number, options: WriteWavOptions = {}): Uint8Array {
  const encoding = options.encoding ?? 'pcm';
  if (!Number.isInteger(sampleRate) || sampleRate < 1000 || sampleRate > 384000) {
    throw new VoicebotError('AUDIO_BAD_RATE', `cannot write a WAV at ${sampleRate} Hz`, { sampleRate });
  }
  const g711 = encoding !== 'pcm';
  const bytesPerSample = g711 ? 1 : 2;
  const dataSize = samples.length * bytesPerSample;
  const fmtSize = g711 ? 18 : 16;
  const factSize = g711 ? 12 : 0;
  const headerSize = 12 + 8 + fmtSize + factSize + 8;
  const pad = dataSize & 1;
  const out = new Uint8Array(headerSize + dataSize + pad);
  const view = new DataView(out.buffer);
  const ascii = (at: number, s: string) => {
    for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, out.length - 8, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, fmtSize, true);
  view.setUint16(
    20,
    encoding === 'pcm' ? FORMAT_PCM : encoding === 'alaw' ? FORMAT_ALAW : FORMAT_MULAW,
    true,
  );
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * bytesPerSample, true);
  view.setUint16(32, bytesPerSample, true);
  view.setUint16(34, bytesPerSample * 8, true);
  let at = 20 + fmtSize;
  if (g711) {
    view.setUint16(36, 0, true); // cbSize
    ascii(at, 'fact');
    view.setUint32(at + 4, 4, true);
    view.setUint32(at + 8, samples.length, true);
    at += 12;
  }
  ascii(at, 'data');
  view.setUint32(at + 4, dataSize, true);
  at += 8;
  if (encoding === 'pcm') {
    for (let i = 0; i < samples.length; i++) view.setInt16(at + i * 2, samples[i]!, true);
  } else {
    const body = out.subarray(at, at + dataSize);
    if (encoding === 'mulaw') mulawEncode(samples, body);
    else alawEncode(samples, body);
  }
  return out;
}
