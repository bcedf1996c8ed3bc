/**
 * Test-only helpers that run sox / espeak-ng on files in a temporary folder. Never imported by
 * engine code (the audio modules themselves do no I/O).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToInt16, int16ToBytes } from '../pcm.ts';

export interface TempDir {
  path(name: string): string;
  cleanup(): void;
}

export function tempDir(prefix = 'voicebot-audio-'): TempDir {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    path: (name) => join(dir, name),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Runs sox with the given arguments; `-D` (no dither) and `-R` (fixed random seed, so noise is
 * the same on every run) are added so outputs are deterministic.
 */
export function sox(args: string[]): Buffer {
  return execFileSync('sox', ['-D', '-R', ...args], { maxBuffer: 64 << 20 });
}

/** Raw PCM16 mono from a sox `-n` synth chain, e.g. ['synth', '1', 'sine', '1000', 'vol', '0.5']. */
export function synth(rate: number, effects: string[], dir: TempDir, name = 'synth.raw'): Int16Array {
  const file = dir.path(name);
  sox(['-n', '-r', String(rate), '-c', '1', '-e', 'signed', '-b', '16', '-t', 'raw', file, ...effects]);
  return readRaw16(file);
}

/** Converts any audio file sox reads to raw PCM16 mono at `rate`. */
export function toRaw16(input: string, rate: number, dir: TempDir, name = 'conv.raw'): Int16Array {
  const file = dir.path(name);
  sox([input, '-r', String(rate), '-c', '1', '-e', 'signed', '-b', '16', '-t', 'raw', file]);
  return readRaw16(file);
}

export function readRaw16(file: string): Int16Array {
  const buf = readFileSync(file);
  return new Int16Array(bytesToInt16(buf));
}

export function writeRaw16(file: string, samples: Int16Array): void {
  writeFileSync(file, int16ToBytes(samples));
}

/** Speech from espeak-ng resampled to PCM16 mono at `rate`. */
export function speak(text: string, rate: number, dir: TempDir, voice = 'en', name = 'speech'): Int16Array {
  const wav = dir.path(`${name}.wav`);
  execFileSync('espeak-ng', ['-v', voice, '-w', wav, text]);
  return toRaw16(wav, rate, dir, `${name}.raw`);
}

/** `sox --i` (soxi): one header field of a file, e.g. soxInfo('-r', file) -> '8000'. */
export function soxInfo(flag: string, file: string): string {
  return execFileSync('sox', ['--i', flag, file]).toString().trim();
}
