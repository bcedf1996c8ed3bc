/**
 * Polls a condition until it holds, for tests and the demo caller that wait on a live call: one
 * loop with one failure message that names what was awaited, for how long, and (when given)
 * what the call looked like when the wait gave up.
 */

export interface WaitForOptions {
  /** What is awaited, in words: the failure reads "timed out after N ms waiting for <what>". */
  what: string;
  timeoutMs: number;
  /** How often the condition is checked (default 25 ms). */
  intervalMs?: number;
  /** A reason to stop waiting at once (the call has ended), or undefined to go on. */
  stopIf?: () => string | undefined;
  /** Appended to a failure: the state that explains it (the bot's last words, say). */
  detail?: () => string;
}

/** Resolves with the first truthy value of `check`; rejects at the timeout or when stopIf gives a reason. */
export async function waitFor<T>(
  check: () => T | null | undefined | false,
  options: WaitForOptions,
): Promise<T> {
  const { what, timeoutMs, intervalMs = 25 } = options;
  const until = performance.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    const stop = options.stopIf?.();
    const detail = () => options.detail?.() ?? '';
    if (stop) throw new Error(`${stop} while waiting for ${what}${detail()}`);
    if (performance.now() > until) {
      throw new Error(`timed out after ${Math.round(timeoutMs)} ms waiting for ${what}${detail()}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
