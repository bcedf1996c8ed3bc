import { describe, expect, it } from 'vitest';
import { PromptTrack } from './prompt-track.ts';

/** 8 kHz: `ms` of a tone at `level`. */
const tone = (ms: number, level: number): Int16Array =>
  new Int16Array(ms * 8).map((_, i) => Math.round(level * Math.sin(i / 3)));

describe('prompt track (the resume point of a paused prompt)', () => {
  it('what was handed to the leg and when it plays tell what the caller heard at the cut', () => {
    const t = new PromptTrack('p', 'say:1:p', 8000);
    t.append(tone(1000, 8000));
    expect(t.takeUnsent(10_000).length).toBe(8000);
    t.cutAt(10_400);
    expect(t.position).toBe(3200);
    // The rest is sent again from the cut on.
    expect(t.takeUnsent(20_000).length).toBe(4800);
  });

  it('audio queued behind the cut, or sent in several pieces, counts only as far as it played', () => {
    const t = new PromptTrack('p', 'm', 8000);
    t.append(tone(200, 8000));
    t.takeUnsent(0);
    t.append(tone(200, 8000));
    t.takeUnsent(200);
    t.cutAt(250);
    expect(t.position).toBe(2000);
    t.cutAt(900); // nothing new was sent since: the same place
    expect(t.position).toBe(2000);
    t.takeUnsent(1000);
    t.cutAt(1000); // sent again, not played yet
    expect(t.position).toBe(2000);
  });

  it('rewinds a little before the cut, to the quietest block (a word gap) in reach', () => {
    const t = new PromptTrack('p', 'm', 8000);
    // word (600 ms) | gap (100 ms) | word (600 ms)
    t.append(tone(600, 8000));
    t.append(new Int16Array(800));
    t.append(tone(600, 8000));
    t.takeUnsent(0);
    t.cutAt(1000);
    t.rewind(200 * 8, 400 * 8);
    expect(t.position).toBeGreaterThanOrEqual(4800);
    expect(t.position).toBeLessThan(5600);
  });

  it('a prompt heard to its end is finished; one never sent starts from the beginning', () => {
    const t = new PromptTrack('p', 'm', 8000);
    t.append(tone(100, 8000));
    t.takeUnsent(0);
    t.synthesized = true;
    t.cutAt(500);
    expect(t.finished).toBe(true);
    const u = new PromptTrack('q', 'n', 8000);
    u.append(tone(100, 8000));
    u.cutAt(500);
    u.rewind(1600, 3200);
    expect(u.position).toBe(0);
  });
});
