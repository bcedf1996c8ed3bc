import { describe, expect, it } from 'vitest';
import { UtteranceAudio } from './utterance-audio.ts';

const frame = (t: number) => ({
  samples: new Int16Array(160).fill(t),
  sampleRate: 8000 as const,
  timestampMs: t,
});

describe('utterance audio (what a recognizer opened mid-utterance hears)', () => {
  it('keeps the pre-roll between utterances, everything from it once speech starts', () => {
    const u = new UtteranceAudio(100);
    for (let t = 0; t < 1000; t += 20) u.push(frame(t));
    expect(u.inProgress).toBe(false);
    expect(u.held().map((f) => f.timestampMs)).toEqual([900, 920, 940, 960, 980]);
    u.speechStarted();
    for (let t = 1000; t < 2000; t += 20) u.push(frame(t));
    expect(u.inProgress).toBe(true);
    expect(u.held()[0]?.timestampMs).toBe(900);
    expect(u.held().length).toBe(55);
  });

  it('a final covers what was kept: it is not heard twice; still talking keeps what follows', () => {
    const u = new UtteranceAudio(100);
    u.speechStarted();
    for (let t = 0; t < 600; t += 20) u.push(frame(t));
    u.finalHeard(true);
    expect(u.held()).toEqual([]);
    u.push(frame(600));
    expect(u.inProgress).toBe(true);
    expect(u.held().map((f) => f.timestampMs)).toEqual([600]);
    u.finalHeard(false);
    expect(u.inProgress).toBe(false);
  });
});
