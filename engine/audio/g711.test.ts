import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  alawDecode,
  alawEncode,
  G711_SILENCE,
  type G711Law,
  g711Decode,
  g711Encode,
  mulawDecode,
  mulawEncode,
} from './g711.ts';
import { readRaw16, sox, synth, tempDir, writeRaw16 } from './testing/sox.ts';

const dir = tempDir();
afterAll(() => dir.cleanup());

const SOX_ENCODING: Record<G711Law, string> = { mulaw: 'mu-law', alaw: 'a-law' };
const LAWS: G711Law[] = ['mulaw', 'alaw'];

/** Encodes PCM16 with sox (no dither) and returns the raw G.711 bytes. */
function soxEncode(law: G711Law, samples: Int16Array, name: string): Uint8Array {
  const input = dir.path(`${name}.s16`);
  const output = dir.path(`${name}.${law}`);
  writeRaw16(input, samples);
  sox(
    ['-r', '8000', '-c', '1', '-e', 'signed', '-b', '16', '-t', 'raw', input].concat([
      '-e',
      SOX_ENCODING[law],
      '-b',
      '8',
      '-t',
      'raw',
      output,
    ]),
  );
  return new Uint8Array(readFileSync(output));
}

/** Decodes raw G.711 bytes with sox to PCM16. */
function soxDecode(law: G711Law, bytes: Uint8Array, name: string): Int16Array {
  const input = dir.path(`${name}.${law}`);
  const output = dir.path(`${name}.dec.s16`);
  writeFileSync(input, bytes);
  sox(
    ['-r', '8000', '-c', '1', '-e', SOX_ENCODING[law], '-b', '8', '-t', 'raw', input].concat([
      '-e',
      'signed',
      '-b',
      '16',
      '-t',
      'raw',
      output,
    ]),
  );
  return readRaw16(output);
}

function firstMismatch(a: ArrayLike<number>, b: ArrayLike<number>): string {
  if (a.length !== b.length) return `length ${a.length} != ${b.length}`;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `index ${i}: ${a[i]} != ${b[i]}`;
  return 'none';
}

const ALL_INT16 = (() => {
  const s = new Int16Array(65536);
  for (let i = 0; i < 65536; i++) s[i] = i - 32768;
  return s;
})();

const SIGNALS: Record<string, string[]> = {
  'sine sweep 50-3950 Hz': ['synth', '2', 'sine', '50-3950', 'vol', '0.8'],
  'quiet sweep (-50 dBFS)': ['synth', '1', 'sine', '200-3000', 'vol', '-50dB'],
  'white noise': ['synth', '1', 'whitenoise', 'vol', '0.5'],
  'full-scale square': ['synth', '0.5', 'square', '440'],
  'full-scale sine': ['synth', '0.5', 'sine', '1000'],
  silence: ['trim', '0', '0.5'],
};

describe.each(LAWS)('G.711 %s against sox', (law) => {
  it.each(Object.keys(SIGNALS))('encodes %s byte for byte like sox', (name) => {
    const pcm = synth(8000, SIGNALS[name]!, dir, `sig-${law}.raw`);
    expect(pcm.length).toBeGreaterThan(1000);
    const ours = g711Encode(law, pcm);
    const theirs = soxEncode(law, pcm, `sig-${law}`);
    expect(firstMismatch(ours, theirs)).toBe('none');
  });

  it('encodes every one of the 65536 PCM16 values like sox', () => {
    const ours = g711Encode(law, ALL_INT16);
    const theirs = soxEncode(law, ALL_INT16, `all-${law}`);
    expect(firstMismatch(ours, theirs)).toBe('none');
  });

  it('decodes every one of the 256 code bytes like sox', () => {
    const bytes = new Uint8Array(256).map((_, i) => i);
    expect(firstMismatch(g711Decode(law, bytes), soxDecode(law, bytes, `codes-${law}`))).toBe('none');
  });

  it('decodes a sox-encoded sweep like sox', () => {
    const pcm = synth(8000, SIGNALS['sine sweep 50-3950 Hz']!, dir, `dec-${law}.raw`);
    const bytes = soxEncode(law, pcm, `dec-${law}`);
    expect(firstMismatch(g711Decode(law, bytes), soxDecode(law, bytes, `dec2-${law}`))).toBe('none');
  });
});

describe.each(LAWS)('G.711 %s quantiser', (law) => {
  const encoded = g711Encode(law, ALL_INT16);
  const decoded = g711Decode(law, encoded);

  it('re-encoding a decoded value gives the same code (all 65536 inputs)', () => {
    const again = g711Encode(law, decoded);
    expect(firstMismatch(again, encoded)).toBe('none');
  });

  it('the reconstruction is monotonic and within half a quantiser step of the input', () => {
    let bad = 0;
    for (let i = 1; i < 65536; i++) if (decoded[i]! < decoded[i - 1]!) bad++;
    expect(bad).toBe(0);
    // Largest step: mu-law 1024 (segment 7 at 14-bit x4), A-law 1024 (segment 7 at 13-bit x8).
    let worst = 0;
    for (let i = 0; i < 65536; i++) {
      const x = ALL_INT16[i]!;
      const step = Math.max(16, 2 ** Math.ceil(Math.log2(Math.abs(x) + 1)) / 16);
      const err = Math.abs(decoded[i]! - x);
      // Above the top segment the code saturates, so allow the clipping region.
      if (Math.abs(x) < 32000) worst = Math.max(worst, err / step);
    }
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('uses all 256 codes (mu-law: 255 distinct levels, as +0 and -0 share 0)', () => {
    const codes = new Set(encoded);
    expect(codes.size).toBe(law === 'mulaw' ? 255 : 256);
    const levels = new Set(
      g711Decode(
        law,
        new Uint8Array(256).map((_, i) => i),
      ),
    );
    expect(levels.size).toBe(law === 'mulaw' ? 255 : 256);
  });

  it('encodes digital silence to the silence byte', () => {
    const silent = g711Encode(law, new Int16Array(160));
    expect(silent.every((b) => b === G711_SILENCE[law])).toBe(true);
    const back = g711Decode(law, silent);
    expect(Math.max(...back.map(Math.abs))).toBeLessThanOrEqual(8);
  });
});

describe('G.711 helpers', () => {
  it('silence bytes are 0xFF (mu-law) and 0xD5 (A-law)', () => {
    expect(G711_SILENCE).toEqual({ mulaw: 0xff, alaw: 0xd5 });
    expect(mulawDecode(new Uint8Array([0xff]))[0]).toBe(0);
    expect(Math.abs(alawDecode(new Uint8Array([0xd5]))[0]!)).toBe(8);
  });

  it('writes into a caller-provided buffer without allocating', () => {
    const pcm = new Int16Array([0, 1000, -1000, 32767, -32768]);
    const out = new Uint8Array(5);
    expect(mulawEncode(pcm, out)).toBe(out);
    const back = new Int16Array(5);
    expect(mulawDecode(out, back)).toBe(back);
    expect(alawEncode(pcm, out)).toBe(out);
    expect(alawDecode(out, back)).toBe(back);
  });
});
