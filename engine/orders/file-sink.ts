/**
 * An order sink that appends one JSON line per order to a file (JSON Lines). The idempotency key
 * is checked against the orders already in the file, so a retried submission is not written twice.
 */
import { appendFile, readFile } from 'node:fs/promises';
import { VoicebotError } from '../errors.ts';
import type { OrderReceipt, OrderRequest, OrderSink } from './sink.ts';

interface StoredOrder extends OrderRequest {
  orderId: string;
  placedAt: string;
}

export class FileOrderSink implements OrderSink {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Orders in the file, oldest first. */
  async list(): Promise<StoredOrder[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as StoredOrder);
  }

  submit(order: OrderRequest): Promise<OrderReceipt> {
    // One write at a time, so that two submissions of one key cannot both miss each other.
    const run = this.queue.then(() => this.write(order));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async write(order: OrderRequest): Promise<OrderReceipt> {
    try {
      const orders = await this.list();
      const existing = orders.find((o) => o.idempotencyKey === order.idempotencyKey);
      if (existing) return { orderId: existing.orderId };
      const orderId = `F${String(orders.length + 1).padStart(5, '0')}`;
      const stored: StoredOrder = { ...order, orderId, placedAt: this.now().toISOString() };
      await appendFile(this.path, `${JSON.stringify(stored)}\n`, 'utf8');
      return { orderId };
    } catch (err) {
      throw new VoicebotError(
        'ORDER_SUBMIT_FAILED',
        `could not write the order to ${this.path}`,
        {
          cause: err instanceof Error ? err.message : String(err),
        },
        { retryable: false },
      );
    }
  }
}
