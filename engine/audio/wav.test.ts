import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { VoicebotError } from '../errors.ts';
import { g711Decode, g711Encode } from './g711.ts';
import { readRaw16, sox, soxInfo, tempDir, toRaw16 } from './testing/sox.ts';
import { readWav, readWavInfo, writeWav } from './wav.ts';

const dir = tempDir();
afterAll(() => dir.cleanup());

/** sox writes a WAV from a synth chain with the given output format options. */
function soxWav(name: string, formatOpts: string[], effects: string[]): Uint8Array {
  const file = dir.path(name);
  sox(['-n', ...formatOpts, file, ...effects]);
  return new Uint8Array(readFileSync(file));
}

function maxAbsDiff(a: Int16Array, b: Int16Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function errorOf(fn: () => unknown): VoicebotError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(VoicebotError);
    return e as VoicebotError;
  }
  throw new Error('expected an error');
}

const TONE = ['synth', '0.25', 'sine', '300-3000', 'vol', '0.7'];
const STEREO = ['synth', '0.25', 'sine', '440', 'sine', '1000', 'vol', '0.7'];

describe('readWav against files sox writes', () => {
  const cases: [
    string,
    string[],
    string[],
    { encoding: string; bits: number; channels: number; tol: number },
  ][] = [
    [
      'pcm16 mono 8k',
      ['-r', '8000', '-c', '1', '-e', 'signed', '-b', '16'],
      TONE,
      { encoding: 'pcm', bits: 16, channels: 1, tol: 0 },
    ],
    [
      'pcm16 mono 16k',
      ['-r', '16000', '-c', '1', '-e', 'signed', '-b', '16'],
      TONE,
      { encoding: 'pcm', bits: 16, channels: 1, tol: 0 },
    ],
    [
      'mu-law 8k',
      ['-r', '8000', '-c', '1', '-e', 'mu-law'],
      TONE,
      { encoding: 'mulaw', bits: 8, channels: 1, tol: 0 },
    ],
    [
      'A-law 8k',
      ['-r', '8000', '-c', '1', '-e', 'a-law'],
      TONE,
      { encoding: 'alaw', bits: 8, channels: 1, tol: 0 },
    ],
    [
      'float32 mono',
      ['-r', '16000', '-c', '1', '-e', 'floating-point', '-b', '32'],
      TONE,
      { encoding: 'float', bits: 32, channels: 1, tol: 1 },
    ],
    [
      'float64 mono',
      ['-r', '8000', '-c', '1', '-e', 'floating-point', '-b', '64'],
      TONE,
      { encoding: 'float', bits: 64, channels: 1, tol: 1 },
    ],
    [
      'pcm8 unsigned',
      ['-r', '8000', '-c', '1', '-e', 'unsigned', '-b', '8'],
      TONE,
      { encoding: 'pcm', bits: 8, channels: 1, tol: 0 },
    ],
    [
      'pcm24 (extensible)',
      ['-r', '8000', '-c', '1', '-e', 'signed', '-b', '24'],
      TONE,
      { encoding: 'pcm', bits: 24, channels: 1, tol: 1 },
    ],
    [
      'pcm32 stereo (extensible)',
      ['-r', '8000', '-c', '2', '-e', 'signed', '-b', '32'],
      STEREO,
      { encoding: 'pcm', bits: 32, channels: 2, tol: 1 },
    ],
    [
      'pcm16 stereo',
      ['-r', '8000', '-c', '2', '-e', 'signed', '-b', '16'],
      STEREO,
      { encoding: 'pcm', bits: 16, channels: 2, tol: 1 },
    ],
    [
      'float32 5.1 (6 channels)',
      ['-r', '16000', '-c', '6', '-e', 'floating-point', '-b', '32'],
      STEREO,
      { encoding: 'float', bits: 32, channels: 6, tol: 1 },
    ],
  ];

  it.each(cases)('%s: header and samples match sox (downmixed to mono)', (name, opts, effects, want) => {
    const file = `${name.replace(/\W+/g, '-')}.wav`;
    const bytes = soxWav(file, opts, effects);
    const wav = readWav(bytes);
    const rate = Number(opts[1]);
    expect(wav.encoding).toBe(want.encoding);
    expect(wav.bitsPerSample).toBe(want.bits);
    expect(wav.channels).toBe(want.channels);
    expect(wav.sampleRate).toBe(rate);
    expect(wav.frames).toBe(rate / 4);
    expect(readWavInfo(bytes).frames).toBe(wav.frames);
    // sox's own conversion to PCM16 mono (channels averaged by `remix -`, no dither).
    const raw = dir.path('ref.raw');
    sox([dir.path(file), '-e', 'signed', '-b', '16', '-t', 'raw', raw, 'remix', '-']);
    let ref = readRaw16(raw);
    if (want.channels > 1) {
      // `remix -` sums with gain 1/n like us; recompute from sox's per-channel PCM16 for exactness.
      sox([dir.path(file), '-e', 'signed', '-b', '16', '-t', 'raw', raw]);
      const inter = readRaw16(raw);
      ref = new Int16Array(wav.frames);
      for (let f = 0; f < wav.frames; f++) {
        let s = 0;
        for (let c = 0; c < want.channels; c++) s += inter[f * want.channels + c]!;
        ref[f] = Math.round(s / want.channels);
      }
    }
    expect(maxAbsDiff(wav.samples, ref)).toBeLessThanOrEqual(want.tol);
    expect(Math.max(...wav.samples)).toBeGreaterThan(5000);
  });

  it('skips LIST and odd-sized unknown chunks (with their pad byte) before the data', () => {
    const plain = soxWav('list.wav', ['-r', '8000', '-c', '1', '-e', 'signed', '-b', '16'], TONE);
    const dataAt = Buffer.from(plain).indexOf('data');
    const info = Buffer.from('INFOICMT\x05\x00\x00\x00hello\x00', 'latin1');
    const list = Buffer.concat([Buffer.from('LIST'), u32(info.length), info]);
    const odd = Buffer.concat([Buffer.from('abcd'), u32(3), Buffer.from([1, 2, 3, 0])]);
    const spliced = Buffer.concat([plain.subarray(0, dataAt), list, odd, plain.subarray(dataAt)]);
    spliced.writeUInt32LE(spliced.length - 8, 4);
    const file = dir.path('spliced.wav');
    writeFileSync(file, spliced);
    const wav = readWav(spliced);
    expect(wav.samples).toEqual(toRaw16(file, 8000, dir)); // sox reads the spliced file the same
    expect(wav.samples).toEqual(readWav(plain).samples);
  });

  it('reads a WAV that starts at an odd byte offset inside a larger buffer', () => {
    const plain = soxWav('offset.wav', ['-r', '8000', '-c', '1', '-e', 'signed', '-b', '16'], TONE);
    const big = new Uint8Array(plain.length + 1);
    big.set(plain, 1);
    expect(readWav(big.subarray(1)).samples).toEqual(readWav(plain).samples);
  });

  it('accepts a streaming header whose data size was left as 0xFFFFFFFF', () => {
    const plain = Buffer.from(
      soxWav('stream.wav', ['-r', '8000', '-c', '1', '-e', 'signed', '-b', '16'], TONE),
    );
    const streamed = Buffer.from(plain);
    streamed.writeUInt32LE(0xffffffff, streamed.indexOf('data') + 4);
    expect(readWav(streamed).samples).toEqual(readWav(plain).samples);
  });
});

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

describe('writeWav', () => {
  const tone = (() => {
    const s = new Int16Array(4000);
    for (let i = 0; i < s.length; i++) s[i] = Math.round(12000 * Math.sin((2 * Math.PI * 700 * i) / 8000));
    return s;
  })();

  it('writes PCM16 mono that sox reads back sample for sample', () => {
    const file = dir.path('ours.wav');
    writeFileSync(file, writeWav(tone, 8000));
    expect(soxInfo('-t', file)).toBe('wav');
    expect(soxInfo('-r', file)).toBe('8000');
    expect(toRaw16(file, 8000, dir)).toEqual(tone);
    expect(readWav(readFileSync(file)).samples).toEqual(tone);
  });

  it.each(['mulaw', 'alaw'] as const)('writes %s that sox decodes like we do', (law) => {
    const file = dir.path(`ours-${law}.wav`);
    const bytes = writeWav(tone, 8000, { encoding: law });
    writeFileSync(file, bytes);
    expect(soxInfo('-e', file)).toMatch(law === 'mulaw' ? /u-law/i : /a-law/i);
    const expected = g711Decode(law, g711Encode(law, tone));
    expect(toRaw16(file, 8000, dir)).toEqual(expected);
    const back = readWav(bytes);
    expect(back.encoding).toBe(law);
    expect(back.samples).toEqual(expected);
  });

  it('pads an odd-length G.711 data chunk to an even size', () => {
    const bytes = writeWav(new Int16Array(3), 8000, { encoding: 'mulaw' });
    expect(bytes.length % 2).toBe(0);
    expect(readWav(bytes).frames).toBe(3);
  });

  it('rejects an invalid sample rate', () => {
    expect(errorOf(() => writeWav(tone, 0)).code).toBe('AUDIO_BAD_RATE');
  });
});

describe('readWav rejects bad input with AUDIO_BAD_FORMAT saying what is wrong', () => {
  const good = () =>
    Buffer.from(soxWav('good.wav', ['-r', '8000', '-c', '1', '-e', 'signed', '-b', '16'], TONE));

  const cases: [string, () => Uint8Array, RegExp][] = [
    ['empty input', () => new Uint8Array(0), /0 bytes, too short/],
    ['random bytes', () => new Uint8Array(64).map((_, i) => (i * 37 + 11) & 0xff), /not a RIFF file/],
    [
      'an MP3-like header',
      () => Buffer.from('ID3\x03\x00\x00\x00\x00\x00\x00junkjunk', 'latin1'),
      /not a RIFF file \(starts with 0x49443303, expected 'RIFF'\)/,
    ],
    [
      'a RIFF that is not WAVE',
      () => Buffer.from('RIFF\x04\x00\x00\x00AVI LIST', 'latin1'),
      /form is 'AVI '/,
    ],
    ['a header cut inside fmt', () => good().subarray(0, 30), /'fmt ' chunk at byte 12 runs past the end/],
    ['a header with no data chunk', () => good().subarray(0, 36), /no 'data' chunk/],
    [
      'truncated audio',
      () => good().subarray(0, 1000),
      /declares 4000 bytes but only 956 remain: the file is truncated/,
    ],
    [
      'an unsupported codec (IMA ADPCM from sox)',
      () => soxWav('adpcm.wav', ['-r', '8000', '-c', '1', '-e', 'ima-adpcm'], TONE),
      /unsupported format tag 0x0011/,
    ],
    [
      'zero channels',
      () => {
        const b = good();
        b.writeUInt16LE(0, 22);
        return b;
      },
      /channel count 0/,
    ],
    [
      'a block align that does not match',
      () => {
        const b = good();
        b.writeUInt16LE(3, 32);
        return b;
      },
      /block align 3 does not match 1 channels x 16 bits/,
    ],
    [
      'data before fmt',
      () => {
        const b = good();
        b.write('data', 12, 'latin1');
        return b;
      },
      /'data' chunk at byte 12 comes before the 'fmt ' chunk/,
    ],
    [
      'a corrupt chunk id',
      () => {
        const b = good();
        const at = b.indexOf('data');
        b[at] = 0;
        return b;
      },
      /is not text: the file is corrupt/,
    ],
  ];

  it.each(cases)('%s', (_name, make, message) => {
    const err = errorOf(() => readWav(make()));
    expect(err.code).toBe('AUDIO_BAD_FORMAT');
    expect(err.message).toMatch(message);
    expect(err.message.startsWith('WAV: ')).toBe(true);
  });

  it('never throws anything but AUDIO_BAD_FORMAT on corrupted sox files (every byte of the header)', () => {
    const base = good();
    for (let at = 0; at < 44; at++) {
      for (const v of [0, 0xff, 0x7f]) {
        const b = Buffer.from(base);
        b[at] = v;
        try {
          readWav(b);
        } catch (e) {
          expect((e as VoicebotError).code).toBe('AUDIO_BAD_FORMAT');
        }
      }
    }
  });
});
