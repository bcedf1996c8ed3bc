/**
 * Wall-clock time for the dialer (epoch milliseconds: calling windows are in local time) and
 * sleeping, injectable so tests and simulations run in virtual time.
 */
export interface DialerClock {
  now(): number;
  /** Resolves after `ms` (at once when the signal is or becomes aborted). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realDialerClock: DialerClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};

interface Timer {
  at: number;
  seq: number;
  fire: () => void;
}

/**
 * Virtual time: `sleep` parks a timer; `run` lets pending promise work settle, then jumps to the
 * next timer, until a condition holds or a time limit passes. Only for code whose I/O settles
 * within a few event-loop turns (SQLite store, in-process carriers).
 */
export class VirtualClock implements DialerClock {
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(startMs: number) {
    this.t = startMs;
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer: Timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fire: () => done() };
      const done = () => {
        const i = this.timers.indexOf(timer);
        if (i >= 0) this.timers.splice(i, 1);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.timers.push(timer);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Lets promise chains and setImmediate work settle without moving time. */
  async settle(turns = 3): Promise<void> {
    for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
  }

  /** Advances time timer by timer until `until()` is true, or `limitMs` is reached. */
  async run(until: () => boolean, limitMs: number): Promise<void> {
    const end = this.t + limitMs;
    for (;;) {
      await this.settle();
      if (until()) return;
      if (this.timers.length === 0) {
        throw new Error('virtual clock: nothing left to wait for and the condition is not met');
      }
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0]!;
      if (next.at > end) return;
      this.t = Math.max(this.t, next.at);
      next.fire();
    }
  }
}
