/** Reads an async iterable to its end, failing with what arrived so far if it takes too long. */
export async function collect<T>(
  source: AsyncIterable<T>,
  timeoutMs: number,
  until?: (item: T) => boolean,
): Promise<T[]> {
  const items: T[] = [];
  const it = source[Symbol.asyncIterator]();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()));
    });
    const r = await Promise.race([it.next(), timeout]).finally(() => clearTimeout(timer));
    if (r === 'timeout') {
      throw new Error(`no end after ${timeoutMs} ms; got ${JSON.stringify(items).slice(0, 2000)}`);
    }
    if (r.done) return items;
    items.push(r.value);
    if (until?.(r.value)) return items;
  }
}
