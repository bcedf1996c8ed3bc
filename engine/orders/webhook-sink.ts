/**
 * An order sink that POSTs the order as JSON to a webhook, with an `Idempotency-Key` header, a
 * timeout per attempt, and retries with exponential backoff and jitter on network errors, 408,
 * 429 and 5xx (honouring Retry-After). Other 4xx are not retried. The response body must be JSON
 * with an `orderId` (string); a 2xx without one is refused.
 */
import { VoicebotError } from '../errors.ts';
import type { OrderReceipt, OrderRequest, OrderSink } from './sink.ts';

export interface WebhookSinkOptions {
  url: string;
  /** Extra headers (e.g. Authorization). */
  headers?: Record<string, string>;
  /** Attempts in all (default 4). */
  attempts?: number;
  /** First backoff (default 200 ms), doubled each retry, capped at maxBackoffMs (default 5000). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Per attempt (default 5000 ms). */
  timeoutMs?: number;
  /** Injected for tests; default setTimeout-based sleep and Math.random. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const retryableStatus = (s: number) => s === 408 || s === 429 || s >= 500;

export class WebhookOrderSink implements OrderSink {
  constructor(private readonly opts: WebhookSinkOptions) {}

  /** The delay before retry n (1-based): backoff * 2^(n-1), capped, with up to 20% jitter. */
  backoff(retry: number, retryAfterMs?: number): number {
    const base = Math.min(this.opts.maxBackoffMs ?? 5000, (this.opts.backoffMs ?? 200) * 2 ** (retry - 1));
    const jittered = Math.round(base * (0.8 + 0.2 * (this.opts.random ?? Math.random)()));
    return retryAfterMs !== undefined ? Math.max(jittered, retryAfterMs) : jittered;
  }

  async submit(order: OrderRequest): Promise<OrderReceipt> {
    const attempts = this.opts.attempts ?? 4;
    const sleep = this.opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    let last = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      let retryAfterMs: number | undefined;
      try {
        const res = await fetch(this.opts.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'idempotency-key': order.idempotencyKey,
            ...this.opts.headers,
          },
          body: JSON.stringify(order),
          signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5000),
        });
        const body = await res.text();
        if (res.ok) {
          const orderId = parseOrderId(body);
          if (orderId === undefined) {
            throw new VoicebotError(
              'ORDER_SUBMIT_FAILED',
              `order webhook answered ${res.status} without an orderId`,
              {
                status: res.status,
              },
              { retryable: false },
            );
          }
          return { orderId };
        }
        last = `HTTP ${res.status}`;
        if (!retryableStatus(res.status)) {
          throw new VoicebotError(
            'ORDER_SUBMIT_FAILED',
            `order webhook refused the order: ${last}`,
            {
              status: res.status,
              attempt,
            },
            { retryable: false },
          );
        }
        const ra = Number(res.headers.get('retry-after'));
        if (Number.isFinite(ra) && ra > 0) retryAfterMs = ra * 1000;
      } catch (err) {
        if (err instanceof VoicebotError) throw err;
        last = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      }
      if (attempt < attempts) await sleep(this.backoff(attempt, retryAfterMs));
    }
    throw new VoicebotError(
      'ORDER_SUBMIT_FAILED',
      `order webhook failed after ${attempts} attempts (${last})`,
      {
        attempts,
        last,
      },
    );
  }
}

function parseOrderId(body: string): string | undefined {
  try {
    const v = JSON.parse(body) as { orderId?: unknown };
    return typeof v.orderId === 'string' && v.orderId !== '' ? v.orderId : undefined;
  } catch {
    return undefined;
  }
}
