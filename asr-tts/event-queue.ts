/**
 * A single-consumer async queue: producers `push` events, one `for await` loop reads them.
 * `end()` lets the consumer drain what is queued, then finishes; `abort()` drops the backlog
 * and finishes at once. Adapters use it to expose RecognizeStream events.
 */
export class EventQueue<T> implements AsyncIterable<T> {
  #items: T[] = [];
  #waiters: ((r: IteratorResult<T, undefined>) => void)[] = [];
  #ended = false;

  get ended(): boolean {
    return this.#ended;
  }

  /** Queues one item; returns false (and drops it) once the queue has ended. */
  push(item: T): boolean {
    if (this.#ended) return false;
    const waiter = this.#waiters.shift();
    if (waiter) waiter({ value: item, done: false });
    else this.#items.push(item);
    return true;
  }

  /** No more items: the consumer still receives what is queued, then the iterator ends. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const w of this.#waiters.splice(0)) w({ value: undefined, done: true });
  }

  /** Ends now, dropping anything not yet read. */
  abort(): void {
    this.#items = [];
    this.end();
  }

  [Symbol.asyncIterator](): AsyncIterator<T, undefined> {
    return {
      next: () => {
        const item = this.#items.shift();
        if (item !== undefined) return Promise.resolve({ value: item, done: false });
        if (this.#ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => this.#waiters.push(resolve));
      },
      return: () => {
        this.abort();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
