/** Monotonic milliseconds, injectable so timing code can be tested without real time. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = {
  now: () => performance.now(),
};
