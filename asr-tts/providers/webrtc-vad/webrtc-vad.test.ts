import { describe, expect, it } from 'vitest';
import { toFrames } from '../../../engine/audio/frame.ts';
import { loadFixtures } from '../../../fixtures/speech/load.ts';
import { concat, espeakClip, noise, silence } from '../../testing/speech-audio.ts';
import { runVadContract } from '../../testing/vad-contract.ts';
import { WebRtcVad } from './webrtc-vad.ts';

const vad = await WebRtcVad.create();
const factory = () => {
  vad.reset();
  return vad;
};

runVadContract('webrtc-vad', factory, { sampleRates: [8000, 16000] });

describe('WebRtcVad', () => {
  it('ignores a short click shorter than minSpeechMs', async () => {
    const v = await WebRtcVad.create();
    const click = noise(30, 8000, 8000);
    const events = [...toFrames(concat(silence(500, 8000), click, silence(1000, 8000)), 8000)].flatMap((f) =>
      v.process(f),
    );
    expect(events).toEqual([]);
    v.close();
  });

  it('the 200 Hz high-pass keeps pink-noise rumble from being taken for speech', async () => {
    const pink = loadFixtures().find((c) => c.id === 'noise-pinknoise')!;
    const starts = async (highPassHz: number) => {
      const v = await WebRtcVad.create({ highPassHz });
      const ev = [...toFrames(pink.samples, 8000)].flatMap((f) => v.process(f));
      v.close();
      return ev.filter((e) => e.type === 'vad.speech_start').length;
    };
    expect(await starts(0)).toBeGreaterThan(0);
    expect(await starts(200)).toBe(0);
  });

  it('a bad rate is a clear AUDIO_BAD_RATE; close is idempotent', async () => {
    const v = await WebRtcVad.create();
    expect(() =>
      v.process({ samples: new Int16Array(441), sampleRate: 44100 as 8000, timestampMs: 0 }),
    ).toThrow(/44100/);
    v.close();
    v.close();
  });

  it('a longer hangover merges the pauses between words into one segment', async () => {
    const pad = { padMs: 0 };
    const speech = concat(
      espeakClip('yes', 8000, pad).samples,
      silence(300, 8000),
      espeakClip('please', 8000, pad).samples,
    );
    const count = async (hangoverMs: number) => {
      const v = await WebRtcVad.create({ hangoverMs });
      const ev = [...toFrames(concat(speech, silence(1500, 8000)), 8000)].flatMap((f) => v.process(f));
      v.close();
      return ev.filter((e) => e.type === 'vad.speech_start').length;
    };
    expect(await count(800)).toBe(1);
    expect(await count(100)).toBeGreaterThan(1);
  });
});
