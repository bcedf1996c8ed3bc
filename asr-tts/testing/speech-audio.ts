/**
 * Test helpers that make real speech audio with espeak-ng and sox (Debian packages installed by
 * scripts/setup.sh). Used by the contract suites and adapter tests; never by engine code.
 */
import { execFileSync } from 'node:child_process';
import type { AudioFrame, SampleRate } from '../../engine/audio/frame.ts';
import { toFrames } from '../../engine/audio/frame.ts';

/** One utterance of PCM16 mono audio with what was said. */
export interface SpeechClip {
  samples: Int16Array;
  sampleRate: SampleRate;
  text: string;
}

/**
 * Speaks `text` with espeak-ng (`voice` e.g. 'en-us', 'cmn'; `wpm` words per minute) and returns
 * PCM16 at `sampleRate`, framed by `padMs` of silence on each side.
 */
export function espeakClip(
  text: string,
  sampleRate: SampleRate,
  opts: { voice?: string; wpm?: number; padMs?: number } = {},
): SpeechClip {
  const wav = execFileSync(
    'espeak-ng',
    ['-v', opts.voice ?? 'en-us', '-s', String(opts.wpm ?? 160), '--stdout', text],
    {
      maxBuffer: 64 << 20,
    },
  );
  const raw = execFileSync(
    'sox',
    [
      '-D',
      '-t',
      'wav',
      '-',
      '-r',
      String(sampleRate),
      '-c',
      '1',
      '-e',
      'signed',
      '-b',
      '16',
      '-t',
      'raw',
      '-',
    ],
    { input: wav, maxBuffer: 64 << 20 },
  );
  const speech = new Int16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const pad = Math.round(((opts.padMs ?? 300) * sampleRate) / 1000);
  const samples = new Int16Array(speech.length + 2 * pad);
  samples.set(speech, pad);
  return { samples, sampleRate, text };
}

/** Digital silence of `ms` milliseconds. */
export function silence(ms: number, sampleRate: SampleRate): Int16Array {
  return new Int16Array(Math.round((ms * sampleRate) / 1000));
}

/** White noise at a given RMS (sample units), deterministic for a seed. */
export function noise(ms: number, sampleRate: SampleRate, rmsLevel: number, seed = 1): Int16Array {
  const out = new Int16Array(Math.round((ms * sampleRate) / 1000));
  let s = seed >>> 0 || 1;
  const amp = rmsLevel * Math.sqrt(3);
  for (let i = 0; i < out.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = Math.round(((s >>> 0) / 0xffffffff - 0.5) * 2 * amp);
  }
  return out;
}

export function concat(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function frames(samples: Int16Array, sampleRate: SampleRate): AudioFrame[] {
  return [...toFrames(samples, sampleRate)];
}

/** Joins frames back into one buffer (they must share a rate). */
export function joinFrames(list: AudioFrame[]): Int16Array {
  return concat(...list.map((f) => f.samples));
}

export function rmsOf(samples: Int16Array): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
  return samples.length ? Math.sqrt(sum / samples.length) : 0;
}
