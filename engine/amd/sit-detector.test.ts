import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { concat, silence as silenceOf } from '../../asr-tts/testing/speech-audio.ts';
import { generateDtmfSequence } from '../audio/dtmf-generator.ts';
import { toFrames } from '../audio/frame.ts';
import { mulawDecode, mulawEncode } from '../audio/g711.ts';
import { speak, synth, tempDir } from '../audio/testing/sox.ts';
import { readWav } from '../audio/wav.ts';
import { isVoicebotError } from '../errors.ts';
import { SitDetector, type SitEvent } from './sit-detector.ts';
import { SIT_EXPECTED, SIT_PATTERNS, type SitPattern, sitTones } from './testing/sit-tones.ts';

const RATE = 8000;
const dir = tempDir('voicebot-sit-');
afterAll(() => dir.cleanup());

const silence = (ms: number) => silenceOf(ms, RATE);
/** Through the telephone codec, as the audio arrives over RTP. */
const g711 = (s: Int16Array) => mulawDecode(mulawEncode(s));

function detect(samples: Int16Array, frameMs = 20): SitEvent[] {
  const d = new SitDetector();
  return [...toFrames(samples, RATE, 0, frameMs)].flatMap((f) => d.push(f) ?? []);
}

const announcement = speak(
  'We are sorry, the number you have dialed is not in service.',
  RATE,
  dir,
  'en',
  'ann',
);

describe('SitDetector', () => {
  for (const pattern of Object.keys(SIT_PATTERNS) as SitPattern[]) {
    it(`${pattern} (sox tones, G.711, then the announcement) -> ${SIT_EXPECTED[pattern].join(' / ')}`, () => {
      const found = detect(g711(concat(silence(700), sitTones(pattern, dir), silence(150), announcement)));
      expect(found).toHaveLength(1);
      const [code, disposition] = SIT_EXPECTED[pattern];
      expect(found[0]).toMatchObject({ code, disposition });
      const total = SIT_PATTERNS[pattern].reduce((n, [, ms]) => n + ms, 0);
      expect(Math.abs(found[0]!.startMs - 700)).toBeLessThanOrEqual(20);
      expect(Math.abs(found[0]!.endMs - (700 + total))).toBeLessThanOrEqual(30);
      found[0]!.segments.forEach((s, i) => {
        expect(Math.abs(s.durationMs - SIT_PATTERNS[pattern][i]![1])).toBeLessThanOrEqual(25);
      });
    });
  }

  it('holds at -30 dBFS, with E.180 gaps of 30 ms, in 20 dB pink noise and in odd frame sizes', () => {
    expect(
      detect(g711(concat(silence(300), sitTones('IC', dir, { dbfs: -30 }), silence(300)))),
    ).toMatchObject([{ code: 'IC' }]);
    expect(detect(g711(concat(sitTones('VC', dir, { gapMs: 30 }), silence(300))))).toMatchObject([
      { code: 'VC' },
    ]);
    const tones = concat(silence(300), sitTones('RO-inter', dir), silence(300));
    const noise = synth(
      RATE,
      ['synth', String(tones.length / RATE), 'pinknoise', 'gain', '-40'],
      dir,
      'n.raw',
    );
    const noisy = tones.map((v, i) => Math.max(-32768, Math.min(32767, v + noise[i]!)));
    expect(detect(g711(noisy))).toMatchObject([{ code: 'RO' }]);
    expect(detect(g711(concat(sitTones('NC-intra', dir), silence(100))), 7)).toMatchObject([{ code: 'NC' }]);
  });

  it('reports only the first SIT of a repeated announcement', () => {
    const once = concat(sitTones('IC', dir), silence(200), announcement);
    expect(detect(g711(concat(once, once)))).toHaveLength(1);
  });

  it('ignores ring-back (US 440+480 Hz, UK 400+450 Hz), speech, a voicemail greeting with its beep, DTMF', () => {
    const usRing = synth(
      RATE,
      ['synth', '2', 'sine', '440', 'sine', '480', 'remix', '1,2', 'gain', '-12'],
      dir,
      'us.raw',
    );
    const ukRing = synth(
      RATE,
      ['synth', '0.4', 'sine', '400', 'sine', '450', 'remix', '1,2', 'gain', '-12'],
      dir,
      'uk.raw',
    );
    const greeting = readWav(
      readFileSync(join(import.meta.dirname, '../../fixtures/amd/set/machine-greeting-beep.wav')),
    ).samples;
    const clips = [
      concat(usRing, silence(4000), usRing),
      concat(ukRing, silence(200), ukRing, silence(2000)),
      announcement,
      greeting,
      generateDtmfSequence('1234567890#*'),
      // Two of the three tones only, and the tones in the wrong order.
      sitTones('IC', dir).subarray(0, ((274 + 274) * RATE) / 1000),
      concat(
        sitTones('IC', dir).subarray(((274 + 274) * RATE) / 1000),
        sitTones('IC', dir).subarray(0, 4384),
      ),
    ];
    for (const [i, clip] of clips.entries()) expect(detect(g711(clip)), `clip ${i}`).toEqual([]);
  });

  it('rejects bad options with AMD_BAD_PARAMETERS', () => {
    for (const bad of [
      { tonality: 2 },
      { minSegmentMs: 500 },
      { maxGapMs: -1 },
      { amplitudeFloor: Number.NaN },
    ]) {
      let err: unknown;
      try {
        new SitDetector(bad);
      } catch (e) {
        err = e;
      }
      expect(isVoicebotError(err) && err.code === 'AMD_BAD_PARAMETERS', JSON.stringify(bad)).toBe(true);
    }
  });
});
