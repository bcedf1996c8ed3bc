import { type Clock, systemClock } from '../../engine/clock.ts';

/** Something that sends one frame per pacer tick (a call leg's outbound side). */
export interface PacedSink {
  /** `slotAt`: the ideal time of this tick on the sink's grid (the wake-up may run a little later). */
  onTick(slotAt: number): void;
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
  /** After a stall, send at most this many catch-up frames per sink, then re-anchor its schedule. */
  maxCatchUpFrames?: number;
  /** Called once per wake-up that ticks sinks, with how late (ms) it ran against the earliest slot it served. */
  onLateness?: (lateMs: number) => void;
}

/** A sink's place on its grid: the ideal time of its next tick; `shared`: on the pacer's own grid. */
interface Entry {
  next: number;
  shared: boolean;
}

/**
 * Timer wake-ups are whole milliseconds and may come this much before the slot; such a slot
 * counts as due (the old single-grid pacer rounded the same way).
 */
const WAKE_TOLERANCE_MS = 0.5;

/**
 * One real-time scheduler for all calls: each sink is ticked once per 20 ms on a grid anchored to
 * a monotonic time (no drift from timer wake-up delays). Sinks added plainly share the pacer's
 * grid (one wake-up serves them all); a sink added with the time of its last tick keeps its own
 * grid, one frame after that tick (a call leg that sent its first frame at once, or that drained
 * less than a frame ago). A slot is never ticked before its time (within the half millisecond of
 * a timer's whole-millisecond wake-up), so a sink never sends faster than real time. After an event-loop stall a sink catches up a few frames, then re-anchors, so a
 * stall never turns into a burst of seconds of audio queued at the far end (which would make
 * barge-in slow).
 */
export class Pacer {
  private readonly sinks = new Map<PacedSink, Entry>();
  private readonly frameMs: number;
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly maxCatchUp: number;
  private readonly onLateness?: (lateMs: number) => void;
  /** A slot time of the shared grid (set when the pacer starts from idle). */
  private gridAnchor = 0;
  private timer: unknown = null;
  private timerAt = Number.POSITIVE_INFINITY;

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

  /**
   * Adds a sink. Without `lastTickAt` its first tick comes at the shared grid's next slot (at most
   * one frame period away; an idle pacer anchors the grid at now). With it, the sink keeps its own
   * grid: the first tick comes one frame after `lastTickAt` (at once when that is already past).
   */
  add(sink: PacedSink, lastTickAt?: number): void {
    const now = this.clock.now();
    if (this.sinks.size === 0) this.gridAnchor = now;
    const next =
      lastTickAt === undefined
        ? this.gridAnchor + (Math.floor((now - this.gridAnchor) / this.frameMs) + 1) * this.frameMs
        : lastTickAt + this.frameMs;
    this.sinks.set(sink, { next, shared: lastTickAt === undefined });
    if (next < this.timerAt) this.arm(next, now);
  }

  remove(sink: PacedSink): void {
    this.sinks.delete(sink);
    if (this.sinks.size === 0) this.stop();
  }

  stop(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  private arm(at: number, now: number): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = this.timers.setTimeout(() => this.run(), Math.max(0, Math.ceil(at - now)));
  }

  private run(): void {
    this.timer = null;
    this.timerAt = Number.POSITIVE_INFINITY;
    const now = this.clock.now();
    let earliest = Number.POSITIVE_INFINITY;
    // A Map visits entries added during the loop too; they are not due yet (next > now).
    for (const [sink, entry] of this.sinks) {
      if (entry.next > now + WAKE_TOLERANCE_MS) continue;
      let due = Math.floor((now + WAKE_TOLERANCE_MS - entry.next) / this.frameMs) + 1;
      if (due > this.maxCatchUp) {
        // Too far behind: forget the missed slots instead of bursting them out.
        entry.next = now - (this.maxCatchUp - 1) * this.frameMs;
        if (entry.shared) this.gridAnchor = entry.next;
        due = this.maxCatchUp;
      }
      earliest = Math.min(earliest, entry.next);
      // A sink removed (or re-added) by its own tick stops here.
      for (let i = 0; i < due && this.sinks.get(sink) === entry; i++) {
        const slotAt = entry.next;
        entry.next += this.frameMs;
        try {
          sink.onTick(slotAt);
        } catch {
          // A sink's failure is its own business (it logs); the others keep their timing.
        }
      }
    }
    if (earliest !== Number.POSITIVE_INFINITY) this.onLateness?.(Math.max(0, now - earliest));
    let next = Number.POSITIVE_INFINITY;
    for (const entry of this.sinks.values()) next = Math.min(next, entry.next);
    if (next < this.timerAt) this.arm(next, this.clock.now());
  }
}
