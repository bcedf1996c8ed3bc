/**
 * Special information tones (SIT): the three rising tones the network plays before an
 * announcement such as "the number you have dialed is not in service". Outbound calls hear
 * them as early media (SIP 183) or, on some networks, right after the answer; a dialer that
 * recognises them ends the attempt at once with the right disposition instead of ringing out
 * or taking the announcement for a voicemail greeting.
 *
 * ITU-T E.180: 950 +-50 Hz, 1400 +-50 Hz, 1800 +-50 Hz, 330 +-70 ms each, gaps <= 30 ms.
 * North America (Telcordia) encodes the reason in the first two segments: a low or high
 * frequency (913.8 / 985.2 Hz, then 1370.6 / 1428.5 Hz) and a short or long duration (274 /
 * 380 ms); the third is always 1776.7 Hz, long. Codes decoded here:
 *
 * | code | 1st segment | 2nd segment | meaning | disposition |
 * |---|---|---|---|---|
 * | IC | low short | low short | intercept: number changed or disconnected | invalid |
 * | VC | high long | low short | vacant code: unassigned prefix or code | invalid |
 * | NC | low long / high long | low long / high long | no circuit: trunks busy | congestion |
 * | RO | high short / low short | low long / high long | reorder: switching trouble | congestion |
 * | IO | low long | high short | ineffective other: misdialled or other failure | failed |
 * | SIT | ITU tones or an unassigned pattern | | the call cannot be completed | failed |
 *
 * 20 ms windows, a Goertzel bin at each nominal frequency (and the ITU centres): a window is
 * tonal when one bin holds most of its energy; a run of tonal windows in one band is a
 * segment; three segments in rising bands with short gaps are a SIT, reported when the third
 * ends. Pure: no I/O, no clock (times are the frames' media times).
 */
import type { AudioFrame, SampleRate } from '../audio/frame.ts';
import { VoicebotError } from '../errors.ts';
import { goertzelCoeff, goertzelPower, toneShare, windowLevel } from './goertzel.ts';
import { Windower } from './windower.ts';

export type SitCode = 'IC' | 'VC' | 'NC' | 'RO' | 'IO' | 'SIT';
export type SitDisposition = 'invalid' | 'congestion' | 'failed';

export interface SitSegment {
  frequencyHz: number;
  /** Which nominal frequency of its band: Telcordia low/high, or the ITU centre. */
  side: 'low' | 'high' | 'itu';
  durationMs: number;
  length: 'short' | 'long';
}

export interface SitEvent {
  code: SitCode;
  meaning: string;
  disposition: SitDisposition;
  segments: [SitSegment, SitSegment, SitSegment];
  /** Media time of the first segment's start and the third's end. */
  startMs: number;
  endMs: number;
}

export interface SitOptions {
  /** Mean |sample| a window needs (E.180 level -24 dBm0 is ~900 in PCM16 after G.711). */
  amplitudeFloor: number;
  /** Share of the window's energy in the strongest bin (0..1) for the window to be tonal. */
  tonality: number;
  /** A segment must last this long... */
  minSegmentMs: number;
  /** ...and no longer than this. */
  maxSegmentMs: number;
  /** Longest silence or mixed window between two segments. */
  maxGapMs: number;
  /** Segments shorter than this are "short" (274 ms), others "long" (380 ms). */
  shortLongSplitMs: number;
}

export const SIT_DEFAULTS: Readonly<SitOptions> = Object.freeze({
  amplitudeFloor: 150,
  tonality: 0.5,
  minSegmentMs: 200,
  maxSegmentMs: 460,
  maxGapMs: 60,
  shortLongSplitMs: 327,
});

const WINDOW_MS = 20;

interface Bin {
  band: 1 | 2 | 3;
  side: SitSegment['side'];
  hz: number;
}

const BINS: readonly Bin[] = [
  { band: 1, side: 'low', hz: 913.8 },
  { band: 1, side: 'itu', hz: 950 },
  { band: 1, side: 'high', hz: 985.2 },
  { band: 2, side: 'low', hz: 1370.6 },
  { band: 2, side: 'itu', hz: 1400 },
  { band: 2, side: 'high', hz: 1428.5 },
  { band: 3, side: 'low', hz: 1776.7 },
  { band: 3, side: 'itu', hz: 1800 },
];

const CODES: Record<string, { code: SitCode; meaning: string; disposition: SitDisposition }> = {
  'low-short/low-short': {
    code: 'IC',
    meaning: 'intercept: number changed or disconnected',
    disposition: 'invalid',
  },
  'high-long/low-short': { code: 'VC', meaning: 'vacant code', disposition: 'invalid' },
  'low-long/low-long': { code: 'NC', meaning: 'no circuit (inter-LATA)', disposition: 'congestion' },
  'high-long/high-long': { code: 'NC', meaning: 'no circuit (intra-LATA)', disposition: 'congestion' },
  'high-short/low-long': { code: 'RO', meaning: 'reorder (inter-LATA)', disposition: 'congestion' },
  'low-short/high-long': { code: 'RO', meaning: 'reorder (intra-LATA)', disposition: 'congestion' },
  'low-long/high-short': { code: 'IO', meaning: 'ineffective other', disposition: 'failed' },
};
const GENERIC = { code: 'SIT' as const, meaning: 'special information tone', disposition: 'failed' as const };

export function sitOptions(overrides: Partial<SitOptions> = {}): SitOptions {
  const o = { ...SIT_DEFAULTS, ...overrides };
  const bad = (what: string) => new VoicebotError('AMD_BAD_PARAMETERS', `SIT ${what}`);
  for (const [key, value] of Object.entries(o)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw bad(`${key} must be >= 0`);
  }
  if (o.tonality > 1) throw bad('tonality must be 0..1');
  if (o.minSegmentMs >= o.maxSegmentMs) throw bad('minSegmentMs must be < maxSegmentMs');
  return o;
}

interface Run {
  bin: Bin;
  startMs: number;
  windows: number;
  hzSum: number;
}

interface Segment {
  bin: Bin;
  startMs: number;
  endMs: number;
  hz: number;
}

export class SitDetector {
  readonly options: SitOptions;
  private coeffs: Float64Array = new Float64Array(0);
  private readonly windows = new Windower(WINDOW_MS);
  private run: Run | null = null;
  private segments: Segment[] = [];
  private detected: SitEvent | null = null;

  constructor(overrides: Partial<SitOptions> = {}) {
    this.options = sitOptions(overrides);
  }

  /** Feeds audio; returns the SIT once its third tone has ended (only the first is reported). */
  push(frame: AudioFrame): SitEvent | null {
    if (this.detected) return null;
    let found: SitEvent | null = null;
    this.windows.push(
      frame,
      (window, startMs) => {
        found ??= this.analyse(window, startMs);
      },
      (rate: SampleRate) => {
        this.coeffs = Float64Array.from(BINS, (b) => goertzelCoeff(b.hz, rate));
      },
    );
    if (found) this.detected = found;
    return found;
  }

  private tone(w: Float64Array): Bin | null {
    const { energy, meanAbs } = windowLevel(w);
    if (meanAbs < this.options.amplitudeFloor) return null;
    let best = -1;
    let bestPower = 0;
    for (let k = 0; k < BINS.length; k++) {
      const p = goertzelPower(w, this.coeffs[k]!);
      if (p > bestPower) {
        bestPower = p;
        best = k;
      }
    }
    return best >= 0 && toneShare(bestPower, w.length, energy) >= this.options.tonality ? BINS[best]! : null;
  }

  private analyse(window: Float64Array, startMs: number): SitEvent | null {
    const bin = this.tone(window);
    const run = this.run;
    if (bin && run && run.bin.band === bin.band && run.bin.side === bin.side) {
      run.windows++;
      run.hzSum += bin.hz;
      return null;
    }
    const ended = run ? this.endRun(run) : null;
    this.run = bin ? { bin, startMs, windows: 1, hzSum: bin.hz } : null;
    return ended;
  }

  private endRun(run: Run): SitEvent | null {
    const o = this.options;
    const durationMs = run.windows * WINDOW_MS;
    if (durationMs < o.minSegmentMs || durationMs > o.maxSegmentMs) {
      this.segments = [];
      return null;
    }
    const seg: Segment = {
      bin: run.bin,
      startMs: run.startMs,
      endMs: run.startMs + durationMs,
      hz: run.hzSum / run.windows,
    };
    const prev = this.segments.at(-1);
    const follows = prev && prev.bin.band === seg.bin.band - 1 && seg.startMs - prev.endMs <= o.maxGapMs;
    if (seg.bin.band === 1) this.segments = [seg];
    else if (follows) this.segments.push(seg);
    else this.segments = [];
    if (this.segments.length < 3) return null;
    const [a, b, c] = this.segments as [Segment, Segment, Segment];
    this.segments = [];
    return this.event(a, b, c);
  }

  private event(a: Segment, b: Segment, c: Segment): SitEvent {
    const seg = (s: Segment): SitSegment => {
      const durationMs = Math.round(s.endMs - s.startMs);
      return {
        frequencyHz: s.hz,
        side: s.bin.side,
        durationMs,
        length: durationMs < this.options.shortLongSplitMs ? 'short' : 'long',
      };
    };
    const segments: [SitSegment, SitSegment, SitSegment] = [seg(a), seg(b), seg(c)];
    const [s1, s2] = segments;
    const key = `${s1.side}-${s1.length}/${s2.side}-${s2.length}`;
    const telcordia = s1.side !== 'itu' && s2.side !== 'itu' ? CODES[key] : undefined;
    return {
      ...(telcordia ?? GENERIC),
      segments,
      startMs: Math.round(a.startMs),
      endMs: Math.round(c.endMs),
    };
  }
}
