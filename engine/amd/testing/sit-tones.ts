/**
 * Test audio for the SIT detector: the Telcordia patterns and the ITU-T E.180 tone made with
 * sox (`synth ... sine`), 8 kHz PCM16, at a given level. Test-only (runs sox).
 */
import { concat, silence } from '../../../asr-tts/testing/speech-audio.ts';
import { synth, type TempDir } from '../../audio/testing/sox.ts';

/** [frequency Hz, duration ms] of the three segments. */
export const SIT_PATTERNS = {
  IC: [
    [913.8, 274],
    [1370.6, 274],
    [1776.7, 380],
  ],
  VC: [
    [985.2, 380],
    [1370.6, 274],
    [1776.7, 380],
  ],
  'NC-inter': [
    [913.8, 380],
    [1370.6, 380],
    [1776.7, 380],
  ],
  'NC-intra': [
    [985.2, 380],
    [1428.5, 380],
    [1776.7, 380],
  ],
  'RO-inter': [
    [985.2, 274],
    [1370.6, 380],
    [1776.7, 380],
  ],
  'RO-intra': [
    [913.8, 274],
    [1428.5, 380],
    [1776.7, 380],
  ],
  IO: [
    [913.8, 380],
    [1428.5, 274],
    [1776.7, 380],
  ],
  ITU: [
    [950, 330],
    [1400, 330],
    [1800, 330],
  ],
} as const satisfies Record<string, readonly (readonly [number, number])[]>;

export type SitPattern = keyof typeof SIT_PATTERNS;

/** What each pattern means to a dialer: [code, disposition] (from the published code table). */
export const SIT_EXPECTED: Record<SitPattern, readonly [string, string]> = {
  IC: ['IC', 'invalid'],
  VC: ['VC', 'invalid'],
  'NC-inter': ['NC', 'congestion'],
  'NC-intra': ['NC', 'congestion'],
  'RO-inter': ['RO', 'congestion'],
  'RO-intra': ['RO', 'congestion'],
  IO: ['IO', 'failed'],
  ITU: ['SIT', 'failed'],
};

/**
 * The three tones back to back (no gap, as Telcordia asks; `gapMs` adds silence between them),
 * each at `dbfs` (default -20 dBFS, near E.180's -24 dBm0 nominal level).
 */
export function sitTones(pattern: SitPattern, dir: TempDir, options: { dbfs?: number; gapMs?: number } = {}) {
  const gain = String(options.dbfs ?? -20);
  const gap = silence(options.gapMs ?? 0, 8000);
  const [a, b, c] = SIT_PATTERNS[pattern].map(([hz, ms], i) =>
    synth(8000, ['synth', String(ms / 1000), 'sine', String(hz), 'gain', gain], dir, `sit-${i}.raw`),
  ) as [Int16Array, Int16Array, Int16Array];
  return concat(a, gap, b, gap, c);
}
