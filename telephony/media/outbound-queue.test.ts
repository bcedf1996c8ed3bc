import { describe, expect, it } from 'vitest';
import { OutboundQueue } from './outbound-queue.ts';

const ramp = (n: number, from = 0) => Int16Array.from({ length: n }, (_, i) => from + i);

describe('OutboundQueue', () => {
  it('re-frames audio of any length into exact 20 ms frames, in order', () => {
    const q = new OutboundQueue(8000);
    q.push(ramp(100));
    q.push(ramp(300, 100));
    expect(q.queuedMs()).toBe(50);
    const a = q.next();
    expect(a.frame).toEqual(ramp(160));
    expect(q.next().frame).toEqual(ramp(160, 160));
    // 80 samples left: the queue ran dry, so the partial frame goes out padded with silence.
    const last = q.next().frame!;
    expect(last.length).toBe(160);
    expect(Array.from(last.subarray(0, 80))).toEqual(Array.from(ramp(80, 320)));
    expect(last.subarray(80).every((s) => s === 0)).toBe(true);
    expect(q.next()).toEqual({ frame: null, marks: [] });
    expect(q.empty).toBe(true);
  });

  it('delivers a mark once the audio before it has been handed out', () => {
    const q = new OutboundQueue(16000);
    q.push(ramp(320));
    q.mark('m1');
    q.push(ramp(320));
    q.mark('m2');
    expect(q.next().marks).toEqual([]);
    const second = q.next();
    expect(second.marks).toEqual(['m1']);
    expect(second.frame).not.toBeNull();
    expect(q.next()).toEqual({ frame: null, marks: ['m2'] });
  });

  it('a mark on an empty queue fires at the next tick', () => {
    const q = new OutboundQueue(8000);
    q.mark('now');
    expect(q.next()).toEqual({ frame: null, marks: ['now'] });
  });

  it('clear drops audio and returns the pending marks', () => {
    const q = new OutboundQueue(8000);
    q.push(ramp(1000));
    q.mark('a');
    q.push(ramp(50));
    q.mark('b');
    expect(q.clear()).toEqual(['a', 'b']);
    expect(q.queuedMs()).toBe(0);
    expect(q.next()).toEqual({ frame: null, marks: [] });
  });

  it('refuses audio beyond maxQueuedMs without queuing any of it', () => {
    const q = new OutboundQueue(8000, 20, 100);
    expect(q.push(new Int16Array(800))).toBe(true);
    expect(q.push(new Int16Array(160))).toBe(false);
    expect(q.queuedMs()).toBe(100);
  });

  it('keeps memory bounded over a long call', () => {
    const q = new OutboundQueue(8000);
    for (let i = 0; i < 10_000; i++) {
      q.push(new Int16Array(160));
      q.next();
    }
    expect(q.queuedMs()).toBe(0);
    expect((q as unknown as { items: unknown[] }).items.length).toBe(0);
  });
});

describe('OutboundQueue.frameReady', () => {
  it('is true only when the next item is a whole frame of audio', () => {
    const q = new OutboundQueue(8000);
    expect(q.frameReady).toBe(false);
    q.push(ramp(100));
    expect(q.frameReady).toBe(false); // a partial frame is still filling
    q.push(ramp(60, 100));
    expect(q.frameReady).toBe(true);
    q.next();
    q.mark('m');
    q.push(ramp(160));
    expect(q.frameReady).toBe(false); // a mark comes first
    q.next();
    expect(q.frameReady).toBe(false);
  });
});
