import { describe, expect, it } from 'vitest';
import { createRootLogger } from '../../engine/log/logger.ts';
import { Metrics } from '../../engine/metrics/metrics.ts';
import type { CallInfo, HangupEvent, MarkEvent } from '../call-leg.ts';
import { Pacer, type Timers } from '../media/pacer.ts';
import { BaseLeg } from './base-leg.ts';

/** Manual time: the pacer's timer fires only when the test advances the clock. */
function manualTime() {
  let now = 0;
  let pending: { at: number; fn: () => void } | null = null;
  const timers: Timers = {
    setTimeout(fn, ms) {
      pending = { at: now + ms, fn };
      return pending;
    },
    clearTimeout(handle) {
      if (pending === handle) pending = null;
    },
  };
  return {
    clock: { now: () => now },
    timers,
    advance(to: number) {
      while (pending && pending.at <= to) {
        const p: { at: number; fn: () => void } = pending;
        pending = null;
        now = p.at;
        p.fn();
      }
      now = to;
    },
  };
}

/** A transport that records what would go on the wire, in order. */
class RecordingLeg extends BaseLeg {
  wire: string[] = [];
  disconnects: HangupEvent[] = [];
  protected writeFrame(samples: Int16Array): void {
    this.wire.push(`frame:${samples.length}:${samples[0]}`);
  }
  protected writeClear(): void {
    this.wire.push('clear');
  }
  protected disconnect(event: HangupEvent): void {
    this.disconnects.push(event);
  }
}

const info = (sampleRate: 8000 | 16000 = 8000): CallInfo => ({
  callId: 'c1',
  transport: 'test',
  direction: 'inbound',
  parameters: {},
  sampleRate,
});

function setup(sampleRate: 8000 | 16000 = 8000) {
  const t = manualTime();
  const pacer = new Pacer({ clock: t.clock, timers: t.timers });
  const metrics = new Metrics();
  const log = createRootLogger({ level: 'silent' });
  const leg = new RecordingLeg(info(sampleRate), { pacer, log, metrics, clock: t.clock });
  const marks: MarkEvent[] = [];
  const events: string[] = [];
  leg.on('mark', (m) => marks.push(m));
  leg.on('drained', () => events.push('drained'));
  leg.on('hangup', (h) => events.push(`hangup:${h.reason}`));
  return { t, pacer, metrics, leg, marks, events };
}

const audio = (n: number, value: number, sampleRate: 8000 | 16000 = 8000) => ({
  samples: new Int16Array(n).fill(value),
  sampleRate,
  timestampMs: 0,
});

describe('BaseLeg', () => {
  it('is on the pacer only while it has something queued', () => {
    const { t, pacer, leg, events } = setup();
    expect(pacer.size).toBe(0);
    leg.sendAudio(audio(400, 5)); // 50 ms -> 3 frames (last padded); the first goes at once
    expect(pacer.size).toBe(1);
    expect(leg.queuedMs()).toBe(30);
    t.advance(20);
    expect(leg.wire).toEqual(['frame:160:5', 'frame:160:5']);
    t.advance(40);
    expect(leg.wire).toHaveLength(3);
    expect(pacer.size).toBe(0);
    expect(events).toEqual(['drained']);
    t.advance(1000);
    expect(leg.wire).toHaveLength(3);
  });

  it('reports marks as played in order with the frames they follow', () => {
    const { t, leg, marks } = setup(16000);
    leg.sendAudio(audio(320, 1, 16000));
    leg.mark('a');
    leg.sendAudio(audio(320, 2, 16000));
    leg.mark('b');
    expect(marks).toEqual([]); // the first frame went at once; 'a' waits for the next slot
    t.advance(20);
    expect(marks).toEqual([{ name: 'a', played: true }]);
    t.advance(40);
    expect(marks).toEqual([
      { name: 'a', played: true },
      { name: 'b', played: true },
    ]);
  });

  it('clear() drops queued audio at once and reports pending marks not played', () => {
    const { t, pacer, leg, marks } = setup();
    leg.sendAudio(audio(1600, 3));
    leg.mark('long');
    t.advance(40);
    leg.clear();
    expect(marks).toEqual([{ name: 'long', played: false }]);
    expect(leg.queuedMs()).toBe(0);
    expect(pacer.size).toBe(0);
    t.advance(200);
    expect(leg.wire).toEqual(['frame:160:3', 'frame:160:3', 'frame:160:3', 'clear']);
  });

  it('hangs up once: pending marks not played, disconnect, metrics, hangup event', async () => {
    const { t, pacer, leg, marks, events, metrics } = setup();
    leg.sendAudio(audio(800, 1));
    leg.mark('m');
    t.advance(5000 - 100); // drained long ago; queue new audio then hang up
    leg.sendAudio(audio(800, 1));
    leg.mark('n');
    leg.hangup('done');
    leg.hangup('again');
    expect(leg.active).toBe(false);
    expect(pacer.size).toBe(0);
    expect(leg.disconnects).toEqual([{ reason: 'bot', detail: 'done' }]);
    expect(marks.at(-1)).toEqual({ name: 'n', played: false });
    expect(events.filter((e) => e.startsWith('hangup'))).toEqual(['hangup:bot']);
    leg.sendAudio(audio(160, 1)); // ignored after the end
    expect(pacer.size).toBe(0);
    const active = await metrics.callsActive.get();
    expect(active.values[0]?.value).toBe(0);
    const duration = await metrics.callDuration.get();
    const sum = duration.values.find((v) => v.metricName === 'voicebot_calls_duration_seconds_sum');
    expect(sum?.value).toBeCloseTo(4.9, 5);
  });

  it('refuses audio at the wrong rate and drops audio beyond maxQueuedMs with a warning', () => {
    const t = manualTime();
    const pacer = new Pacer({ clock: t.clock, timers: t.timers });
    const leg = new RecordingLeg(info(), {
      pacer,
      log: createRootLogger({ level: 'silent' }),
      clock: t.clock,
      maxQueuedMs: 100,
    });
    const warnings: string[] = [];
    leg.on('warning', (w) => warnings.push(w.code));
    expect(() => leg.sendAudio(audio(320, 1, 16000))).toThrow(/8000 Hz call/);
    leg.sendAudio(audio(800, 1)); // 100 ms: the first frame goes at once, 80 ms stay queued
    leg.sendAudio(audio(320, 1)); // 120 ms: refused
    expect(warnings).toEqual(['MEDIA_QUEUE_FULL']);
    leg.sendAudio(audio(160, 1));
    expect(leg.queuedMs()).toBe(100);
  });

  it('numbers caller audio by samples received and counts frames', async () => {
    const { leg, metrics } = setup();
    const stamps: number[] = [];
    leg.on('audio', (f) => stamps.push(f.timestampMs));
    leg.receiveAudio(new Int16Array(160));
    leg.receiveAudio(new Int16Array(80));
    leg.receiveAudio(new Int16Array(160));
    expect(stamps).toEqual([0, 20, 30]);
    expect((await metrics.framesIn.get()).values[0]?.value).toBe(3);
  });

  it('rejects transfer with TRANSFER_UNSUPPORTED by default', async () => {
    const { leg } = setup();
    await expect(leg.transfer({ target: 'sip:a@b' })).rejects.toMatchObject({ code: 'TRANSFER_UNSUPPORTED' });
  });
});

describe('BaseLeg: hang-up from inside a mark listener', () => {
  it('stops at once: no further frame, no drained after the hangup', () => {
    const { t, pacer, leg, events } = setup();
    leg.sendAudio(audio(320, 1));
    leg.mark('bye');
    leg.sendAudio(audio(320, 2));
    leg.on('mark', (m) => {
      if (m.name === 'bye' && m.played) leg.hangup('after goodbye');
    });
    t.advance(200);
    expect(leg.wire).toEqual(['frame:160:1', 'frame:160:1']);
    expect(events).toEqual(['hangup:bot']);
    expect(pacer.size).toBe(0);
  });
});

/** Stamps each frame with the time it was written. */
class TimedLeg extends RecordingLeg {
  stamps: number[] = [];
  now: () => number = () => Number.NaN;
  protected override writeFrame(samples: Int16Array): void {
    this.stamps.push(this.now());
    super.writeFrame(samples);
  }
}

function timedSetup() {
  const t = manualTime();
  const pacer = new Pacer({ clock: t.clock, timers: t.timers });
  const log = createRootLogger({ level: 'silent' });
  const leg = new TimedLeg(info(), { pacer, log, clock: t.clock });
  leg.now = t.clock.now;
  return { t, pacer, leg };
}

describe('BaseLeg pacing: the first frame of an idle stream goes at once', () => {
  it('writes it inside sendAudio, then one frame per 20 ms on a grid anchored there', () => {
    const { t, pacer, leg } = timedSetup();
    pacer.add({ onTick: () => {} }); // another call keeps the pacer's shared grid (20, 40, ...)
    t.advance(7);
    leg.sendAudio(audio(480, 1));
    expect(leg.stamps).toEqual([7]);
    t.advance(100);
    expect(leg.stamps).toEqual([7, 27, 47]);
  });

  it('a stream that wrote a frame less than 20 ms ago keeps its grid', () => {
    const { t, leg } = timedSetup();
    leg.sendAudio(audio(160, 1));
    t.advance(5);
    leg.sendAudio(audio(320, 2));
    expect(leg.stamps).toEqual([0]);
    t.advance(100);
    expect(leg.stamps).toEqual([0, 20, 40]);
  });

  it('part of a frame waits for the rest (then goes at once) or a frame period (then padded)', () => {
    const { t, leg } = timedSetup();
    leg.sendAudio(audio(80, 1));
    expect(leg.stamps).toEqual([]);
    t.advance(5);
    leg.sendAudio(audio(80, 1));
    expect(leg.stamps).toEqual([5]);
    t.advance(100);
    leg.sendAudio(audio(80, 2));
    t.advance(119);
    expect(leg.stamps).toEqual([5]);
    t.advance(120);
    expect(leg.stamps).toEqual([5, 120]);
    expect(leg.wire.at(-1)).toBe('frame:160:2');
  });

  it('never writes frames closer than 20 ms, whatever the producer does', () => {
    const { t, leg } = timedSetup();
    // Chunks of 0-59 ms at uneven times, with gaps that let the stream go idle now and then.
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let at = 0; at < 3000; at += 1 + rand(45)) {
      t.advance(at);
      leg.sendAudio(audio(rand(480), 1));
      if (rand(5) === 0) leg.mark(`m${at}`);
    }
    t.advance(6000);
    expect(leg.stamps.length).toBeGreaterThan(50);
    for (let i = 1; i < leg.stamps.length; i++) {
      expect(leg.stamps[i]! - leg.stamps[i - 1]!).toBeGreaterThanOrEqual(20);
    }
  });
});
