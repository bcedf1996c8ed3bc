import { type SampleRate, samplesPerFrame } from '../../engine/audio/frame.ts';
import { frameSlab } from './sample-slab.ts';

type Item = { kind: 'audio'; samples: Int16Array } | { kind: 'mark'; name: string };

export interface QueueTick {
  /** The next 20 ms frame to send, or null when nothing is queued. */
  frame: Int16Array | null;
  /** Marks reached before `frame` (their audio has all been handed out), in order. */
  marks: string[];
}

/**
 * Outbound audio for one call: re-frames audio of any length into exact 20 ms frames and keeps
 * marks in order with it. Pure and synchronous; the pacer pulls one tick per 20 ms. A partial
 * frame waits for more audio, and is padded with silence when a mark follows or the queue runs dry.
 */
export class OutboundQueue {
  readonly frameSamples: number;
  private items: Item[] = [];
  private head = 0;
  private partial: Int16Array;
  private partialLength = 0;
  private audioFrames = 0;

  constructor(
    readonly sampleRate: SampleRate,
    readonly frameMs = 20,
    /** Refuse audio beyond this much queued (a runaway producer must not eat memory). */
    readonly maxQueuedMs = 120_000,
  ) {
    this.frameSamples = samplesPerFrame(sampleRate, frameMs);
    this.partial = new Int16Array(this.frameSamples);
  }

  /** Appends audio; returns false (and queues nothing) when it would exceed maxQueuedMs. */
  push(samples: Int16Array): boolean {
    const total = this.partialLength + samples.length;
    if ((this.audioFrames + Math.floor(total / this.frameSamples)) * this.frameMs > this.maxQueuedMs)
      return false;
    let offset = 0;
    if (this.partialLength > 0) {
      const take = Math.min(this.frameSamples - this.partialLength, samples.length);
      this.partial.set(samples.subarray(0, take), this.partialLength);
      this.partialLength += take;
      offset = take;
      if (this.partialLength === this.frameSamples) this.flushPartial();
    }
    const whole = samples.length - offset - ((samples.length - offset) % this.frameSamples);
    if (whole > 0) {
      // One copy for all the whole frames (the caller may reuse its array); frames are views on it.
      const copy = frameSlab.take(whole);
      copy.set(samples.subarray(offset, offset + whole));
      for (let at = 0; at < whole; at += this.frameSamples) {
        this.items.push({ kind: 'audio', samples: copy.subarray(at, at + this.frameSamples) });
      }
      this.audioFrames += whole / this.frameSamples;
      offset += whole;
    }
    if (offset < samples.length) {
      this.partial.set(samples.subarray(offset), 0);
      this.partialLength = samples.length - offset;
    }
    return true;
  }

  mark(name: string): void {
    this.flushPartial();
    this.items.push({ kind: 'mark', name });
  }

  next(): QueueTick {
    const marks: string[] = [];
    if (this.head === this.items.length) this.flushPartial();
    while (this.head < this.items.length) {
      const item = this.items[this.head++]!;
      if (item.kind === 'mark') {
        marks.push(item.name);
        continue;
      }
      this.audioFrames--;
      this.compact();
      return { frame: item.samples, marks };
    }
    this.compact();
    return { frame: null, marks };
  }

  /** Drops all audio; returns the names of the marks that were pending, in order. */
  clear(): string[] {
    const marks: string[] = [];
    for (let i = this.head; i < this.items.length; i++) {
      const item = this.items[i]!;
      if (item.kind === 'mark') marks.push(item.name);
    }
    this.items = [];
    this.head = 0;
    this.partialLength = 0;
    this.audioFrames = 0;
    return marks;
  }

  queuedMs(): number {
    return this.audioFrames * this.frameMs + (this.partialLength * 1000) / this.sampleRate;
  }

  /** The next item is a whole frame of audio (not a mark, not a partial frame still filling). */
  get frameReady(): boolean {
    return this.head < this.items.length && this.items[this.head]!.kind === 'audio';
  }

  get empty(): boolean {
    return this.head === this.items.length && this.partialLength === 0;
  }

  private flushPartial(): void {
    if (this.partialLength === 0) return;
    const frame = frameSlab.take(this.frameSamples);
    frame.set(this.partial.subarray(0, this.partialLength));
    this.items.push({ kind: 'audio', samples: frame });
    this.audioFrames++;
    this.partialLength = 0;
  }

  private compact(): void {
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 256 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
