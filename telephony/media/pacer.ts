import { type Clock, systemClock } from '../../engine/clock.ts';

/** Something that sends one frame per pacer tick (a call leg's outbound side). */
export interface PacedSink {
  onTick(): void;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface PacerOptions {
  frameMs?: number;
  clock?: Clock;
  timers?: Timers;
  /** After a stall, send at most this many catch-up frames per sink, then re-anchor the schedule. */
  maxCatchUpFrames?: number;
  /** Called once per slot with how late (ms) the slot ran against its ideal time. */
  onLateness?: (lateMs: number) => void;
}

/**
 * One real-time scheduler for all calls: every 20 ms slot it ticks every sink once. Slots are
 * anchored to a monotonic start time (no drift from timer wake-up delays). After an event-loop
 * stall it catches up a few frames, then re-anchors, so a stall never turns into a burst of
 * seconds of audio queued at the far end (which would make barge-in slow).
 */
export class Pacer {
  private readonly sinks = new Set<PacedSink>();
  private readonly frameMs: number;
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly maxCatchUp: number;
  private readonly onLateness?: (lateMs: number) => void;
  private anchor = 0;
  private slot = 0;
  private timer: unknown = null;

  constructor(options: PacerOptions = {}) {
    this.frameMs = options.frameMs ?? 20;
    this.clock = options.clock ?? systemClock;
    this.timers = options.timers ?? realTimers;
    this.maxCatchUp = options.maxCatchUpFrames ?? 3;
    this.onLateness = options.onLateness;
  }

  get size(): number {
    return this.sinks.size;
  }

  /** Adds a sink; its first tick comes at the next slot (at most one frame period away). */
  add(sink: PacedSink): void {
    this.sinks.add(sink);
    if (this.timer === null) {
      this.anchor = this.clock.now();
      this.slot = 0;
      this.schedule();
    }
  }

  remove(sink: PacedSink): void {
    this.sinks.delete(sink);
    if (this.sinks.size === 0) this.stop();
  }

  stop(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    const due = this.anchor + (this.slot + 1) * this.frameMs;
    this.timer = this.timers.setTimeout(() => this.run(), Math.max(0, due - this.clock.now()));
  }

  private run(): void {
    this.timer = null;
    const now = this.clock.now();
    let due = Math.floor((now + 0.5 - this.anchor) / this.frameMs) - this.slot;
    if (due > this.maxCatchUp) {
      // Too far behind: forget the missed slots instead of bursting them out.
      this.anchor = now - (this.slot + this.maxCatchUp) * this.frameMs;
      due = this.maxCatchUp;
    }
    for (let i = 0; i < due && this.sinks.size > 0; i++) {
      this.slot++;
      this.onLateness?.(Math.max(0, now - (this.anchor + this.slot * this.frameMs)));
      for (const sink of this.sinks) {
        try {
          sink.onTick();
        } catch {
          // A sink's failure is its own business (it logs); the others keep their timing.
        }
      }
    }
    if (this.sinks.size > 0) this.schedule();
  }
}
