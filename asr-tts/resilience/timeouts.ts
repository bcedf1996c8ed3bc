/**
 * Read timeouts for any async stream: `idleTimeout` fails when the next item takes longer than
 * `ms` (the first item included), so a hung speech service becomes a typed, retryable error
 * instead of a silent call. The underlying iterator is closed on timeout.
 */
export async function* idleTimeout<T>(
  source: AsyncIterable<T>,
  ms: number,
  makeError: () => Error,
): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), ms);
      });
      const r = await Promise.race([it.next(), timeout]).finally(() => clearTimeout(timer));
      if (r === 'timeout') throw makeError();
      if (r.done) {
        finished = true;
        return;
      }
      yield r.value;
    }
  } finally {
    if (!finished) void it.return?.()?.catch(() => {});
  }
}

/** Rejects with `makeError()` when `promise` does not settle within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, makeError: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(makeError()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
