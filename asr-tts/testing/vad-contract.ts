/**
 * The contract every Vad passes, on real espeak-ng speech: silence and faint noise cause no
 * events; speech causes start ... end in alternation with onsets near the true one; timestamps
 * follow the frames' media time; frame sizes other than 20 ms work; reset clears state.
 */
import { describe, expect, it } from 'vitest';
import type { AudioFrame, SampleRate } from '../../engine/audio/frame.ts';
import { toFrames } from '../../engine/audio/frame.ts';
import type { Vad, VadEvent } from '../vad.ts';
import { concat, espeakClip, noise, silence } from './speech-audio.ts';

export interface VadContractOptions {
  sampleRates: SampleRate[];
  /** How late speech_start may come after the true onset. */
  onsetToleranceMs?: number;
  /** How late speech_end may come after the speech stops. */
  hangoverToleranceMs?: number;
}

const LEAD_MS = 500;

function run(vad: Vad, samples: Int16Array, rate: SampleRate, startMs = 0, frameMs = 20): VadEvent[] {
  const out: VadEvent[] = [];
  for (const f of toFrames(samples, rate, startMs, frameMs) as Iterable<AudioFrame>)
    out.push(...vad.process(f));
  return out;
}

export function runVadContract(name: string, makeVad: () => Vad, opts: VadContractOptions): void {
  const onsetTol = opts.onsetToleranceMs ?? 200;
  const endTol = opts.hangoverToleranceMs ?? 1500;

  describe(`Vad contract: ${name}`, () => {
    for (const rate of opts.sampleRates) {
      const clip = () => espeakClip('please send me two large pizzas', rate, { padMs: 0 });

      it(`${rate} Hz: silence and faint noise cause no events`, () => {
        const vad = makeVad();
        expect(run(vad, concat(silence(2000, rate), noise(2000, rate, 30)), rate)).toEqual([]);
        expect(vad.speaking).toBe(false);
      });

      it(`${rate} Hz: speech gives alternating start/end events with a timely onset and end`, () => {
        const vad = makeVad();
        const speech = clip().samples;
        const speechMs = (speech.length * 1000) / rate;
        const events = run(vad, concat(silence(LEAD_MS, rate), speech, silence(2500, rate)), rate);
        expect(events.length).toBeGreaterThanOrEqual(2);
        expect(events.map((e) => e.type)).toEqual(
          events.map((_, i) => (i % 2 === 0 ? 'vad.speech_start' : 'vad.speech_end')),
        );
        const first = events[0]!.atMs;
        expect(first).toBeGreaterThanOrEqual(LEAD_MS - 100);
        expect(first).toBeLessThanOrEqual(LEAD_MS + onsetTol);
        const last = events.at(-1)!.atMs;
        expect(last).toBeGreaterThanOrEqual(LEAD_MS + speechMs - 300);
        expect(last).toBeLessThanOrEqual(LEAD_MS + speechMs + endTol);
        expect(vad.speaking).toBe(false);
      });

      it(`${rate} Hz: speaking is true during speech; timestamps follow media time; reset clears state`, () => {
        const vad = makeVad();
        const events = run(vad, concat(silence(LEAD_MS, rate), clip().samples), rate, 10_000);
        expect(events[0]).toMatchObject({ type: 'vad.speech_start' });
        expect(events[0]!.atMs).toBeGreaterThanOrEqual(10_000 + LEAD_MS - 100);
        expect(vad.speaking).toBe(true);
        vad.reset();
        expect(vad.speaking).toBe(false);
        expect(run(vad, silence(1000, rate), rate)).toEqual([]);
      });

      it(`${rate} Hz: 10 ms and 30 ms frames work too`, () => {
        for (const frameMs of [10, 30]) {
          const vad = makeVad();
          const events = run(
            vad,
            concat(silence(LEAD_MS, rate), clip().samples, silence(2500, rate)),
            rate,
            0,
            frameMs,
          );
          expect(events[0]?.type).toBe('vad.speech_start');
          expect(events.at(-1)?.type).toBe('vad.speech_end');
        }
      });
    }
  });
}
