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

/** Sinks ticked together: the ideal time of their next tick. */
interface Grid {
  next: number;
  sinks: Set<PacedSink>;
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
 * less than a frame ago). Such grids start on a whole millisecond (rounded up), so sinks share at
 * most 20 of them and a wake-up serves every sink of its grid. A slot is never ticked before its
 * time (within the half millisecond of a timer's whole-millisecond wake-up), so a sink never sends
 * faster than real time. After an event-loop stall a grid catches up a few frames, then
 * re-anchors, so a stall never turns into a burst of seconds of audio queued at the far end (which
 * would make barge-in slow).
 */
export class Pacer {
  private readonly grids: Grid[] = [];
  private readonly gridOf = new Map<PacedSink, Grid>();
  private readonly frameMs: number;
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly maxCatchUp: number;
  private readonly onLateness?: (lateMs: number) => void;
  /** The grid of sinks added plainly (set when the pacer starts from idle). */
  private shared: Grid | null = null;
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
    return this.gridOf.size;
  }

  /**
   * Adds a sink. Without `lastTickAt` its first tick comes at the shared grid's next slot (at most
   * one frame period away; an idle pacer anchors the grid at now). With it, the sink keeps its own
   * grid: the first tick comes one frame after `lastTickAt` (rounded up to a whole millisecond; at
   * once when that is already past).
   */
  add(sink: PacedSink, lastTickAt?: number): void {
    if (this.gridOf.has(sink)) this.remove(sink);
    const now = this.clock.now();
    let grid: Grid;
    if (lastTickAt === undefined) {
      if (!this.shared) {
        this.shared = { next: now + this.frameMs, sinks: new Set() };
        this.grids.push(this.shared);
      }
      grid = this.shared;
    } else {
      const next = Math.ceil(lastTickAt + this.frameMs);
      grid = this.grids.find((g) => g.next === next && g !== this.shared) ?? this.newGrid(next);
    }
    grid.sinks.add(sink);
    this.gridOf.set(sink, grid);
    if (grid.next < this.timerAt) this.arm(grid.next, now);
  }

  remove(sink: PacedSink): void {
    const grid = this.gridOf.get(sink);
    if (!grid) return;
    this.gridOf.delete(sink);
    grid.sinks.delete(sink);
    if (grid.sinks.size === 0) {
      this.grids.splice(this.grids.indexOf(grid), 1);
      if (grid === this.shared) this.shared = null;
    }
    if (this.gridOf.size === 0) this.stop();
  }

  stop(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  private newGrid(next: number): Grid {
    const grid = { next, sinks: new Set<PacedSink>() };
    this.grids.push(grid);
    return grid;
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
    // Grids made during the loop (sinks re-added by their own tick) are not due yet.
    for (const grid of [...this.grids]) {
      if (grid.next > now + WAKE_TOLERANCE_MS) continue;
      let due = Math.floor((now + WAKE_TOLERANCE_MS - grid.next) / this.frameMs) + 1;
      if (due > this.maxCatchUp) {
        // Too far behind: forget the missed slots instead of bursting them out.
        grid.next = now - (this.maxCatchUp - 1) * this.frameMs;
        due = this.maxCatchUp;
      }
      earliest = Math.min(earliest, grid.next);
      for (let i = 0; i < due && grid.sinks.size > 0; i++) {
        const slotAt = grid.next;
        grid.next += this.frameMs;
        // A sink that joins this grid during the loop has its first tick at the next slot.
        for (const sink of [...grid.sinks]) {
          if (this.gridOf.get(sink) !== grid) continue; // removed (or moved) by an earlier tick
          try {
            sink.onTick(slotAt);
          } catch {
            // A sink's failure is its own business (it logs); the others keep their timing.
          }
        }
      }
    }
    if (earliest !== Number.POSITIVE_INFINITY) this.onLateness?.(Math.max(0, now - earliest));
    let next = Number.POSITIVE_INFINITY;
    for (const grid of this.grids) next = Math.min(next, grid.next);
    if (next < this.timerAt) this.arm(next, this.clock.now());
  }
}
