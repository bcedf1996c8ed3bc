import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isVoicebotError } from '../errors.ts';
import { CustomerDirectory } from './customer-directory.ts';
import { FileOrderSink } from './file-sink.ts';
import type { OrderRequest } from './sink.ts';
import { WebhookOrderSink } from './webhook-sink.ts';

const order: OrderRequest = {
  idempotencyKey: 'order-call-1',
  callId: 'call-1',
  language: 'en-US',
  catalogId: 'meals',
  currency: 'CNY',
  lines: [{ itemId: 'bread', quantity: 2, priceMinor: 1200 }],
  totalMinor: 2400,
  address: '12 Garden Road',
  addressSource: 'registered',
};

interface Seen {
  key: string | undefined;
  body: OrderRequest;
}

let server: Server | undefined;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
  server = undefined;
});

/** A real order service on 127.0.0.1:0 that answers with the given statuses in turn. */
async function orderService(statuses: Array<number | 'hang'>, headers: Record<string, string> = {}) {
  const seen: Seen[] = [];
  const placed = new Map<string, string>();
  server = createServer(async (req: IncomingMessage, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const key = req.headers['idempotency-key'] as string | undefined;
    seen.push({ key, body: JSON.parse(body) as OrderRequest });
    const status = statuses[seen.length - 1] ?? 200;
    if (status === 'hang') return; // never answers: the sink's timeout must fire
    if (status !== 200) {
      res.writeHead(status, headers).end('{"error":"busy"}');
      return;
    }
    const id = placed.get(key ?? '') ?? `W${placed.size + 1}`;
    placed.set(key ?? '', id);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ orderId: id }));
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server!.address() as AddressInfo).port}/orders`;
  return { url, seen };
}

describe('WebhookOrderSink', () => {
  it('POSTs the order with its idempotency key', async () => {
    const svc = await orderService([200]);
    const receipt = await new WebhookOrderSink({ url: svc.url }).submit(order);
    expect(receipt).toEqual({ orderId: 'W1' });
    expect(svc.seen).toEqual([{ key: 'order-call-1', body: order }]);
  });

  it('retries 503 and 429 with growing backoff (Retry-After honoured), same key each time', async () => {
    const svc = await orderService([503, 429, 200], { 'retry-after': '1' });
    const sleeps: number[] = [];
    const sink = new WebhookOrderSink({
      url: svc.url,
      backoffMs: 100,
      random: () => 0.5,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    expect(await sink.submit(order)).toEqual({ orderId: 'W1' });
    expect(svc.seen.map((s) => s.key)).toEqual(['order-call-1', 'order-call-1', 'order-call-1']);
    expect(sleeps).toEqual([1000, 1000]); // Retry-After: 1 s beats 90 ms and 180 ms
    expect(sink.backoff(1)).toBe(90);
    expect(sink.backoff(3)).toBe(360);
    expect(sink.backoff(20)).toBe(4500);
  });

  it('a retried submission of the same key returns the first order id', async () => {
    const svc = await orderService([200, 200]);
    const sink = new WebhookOrderSink({ url: svc.url });
    await sink.submit(order);
    expect(await sink.submit(order)).toEqual({ orderId: 'W1' });
  });

  it('does not retry 400 and says why', async () => {
    const svc = await orderService([400]);
    const err = await new WebhookOrderSink({ url: svc.url, sleep: async () => {} })
      .submit(order)
      .catch((e) => e);
    expect(isVoicebotError(err) && err.code).toBe('ORDER_SUBMIT_FAILED');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('HTTP 400');
    expect(svc.seen).toHaveLength(1);
  });

  it('gives up after the attempts on timeouts', async () => {
    const svc = await orderService(['hang', 'hang']);
    const sink = new WebhookOrderSink({ url: svc.url, attempts: 2, timeoutMs: 150, sleep: async () => {} });
    const err = await sink.submit(order).catch((e) => e);
    expect(err.code).toBe('ORDER_SUBMIT_FAILED');
    expect(err.message).toMatch(/after 2 attempts \(TimeoutError/);
    expect(svc.seen).toHaveLength(2);
  });

  it('retries a refused connection', async () => {
    const svc = await orderService([]);
    const url = svc.url;
    server!.close();
    server = undefined;
    const err = await new WebhookOrderSink({ url, attempts: 2, sleep: async () => {} })
      .submit(order)
      .catch((e) => e);
    expect(err.message).toMatch(/after 2 attempts/);
  });
});

describe('FileOrderSink', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('appends JSON lines and ignores a repeated idempotency key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orders-'));
    dirs.push(dir);
    const sink = new FileOrderSink(join(dir, 'orders.jsonl'), () => new Date('2026-11-26T10:00:00Z'));
    const [a, b] = await Promise.all([sink.submit(order), sink.submit(order)]);
    const c = await sink.submit({ ...order, idempotencyKey: 'order-call-2' });
    expect([a, b, c]).toEqual([{ orderId: 'F00001' }, { orderId: 'F00001' }, { orderId: 'F00002' }]);
    const stored = await sink.list();
    expect(stored).toHaveLength(2);
    expect(stored[0]).toMatchObject({ ...order, orderId: 'F00001', placedAt: '2026-11-26T10:00:00.000Z' });
  });

  it('an unwritable path is ORDER_SUBMIT_FAILED', async () => {
    const err = await new FileOrderSink('/nonexistent-dir/orders.jsonl').submit(order).catch((e) => e);
    expect(err.code).toBe('ORDER_SUBMIT_FAILED');
  });
});

describe('CustomerDirectory', () => {
  const dir = CustomerDirectory.fromFile(
    join(import.meta.dirname, '../../fixtures/customers/customers.json'),
  );
  it('finds a registered address by caller ID in any common form', async () => {
    expect(await dir.lookupAddress('+8613800000001')).toBe('12 Garden Road, flat 3');
    expect(await dir.lookupAddress('138 0000 0002')).toBe('人民路88号2单元301室');
    expect(await dir.lookupAddress('+1 415-555-0100')).toBe('40 Pine Street, apartment 2B');
  });
  it('unknown, withheld and garbage caller IDs have no address', async () => {
    expect(await dir.lookupAddress('+8613999999999')).toBeNull();
    expect(await dir.lookupAddress(undefined)).toBeNull();
    expect(await dir.lookupAddress('anonymous')).toBeNull();
  });
  it('a key that is not an E.164 number is named with its file and the form to write it in', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'vb-customers-'));
    try {
      const file = join(tmp, 'customers.json');
      writeFileSync(
        file,
        JSON.stringify({
          '138 0000 0001': { address: '12 Garden Road' },
          'not a number': { address: '5 Elm Street' },
          '+8613800000003': { address: '7 Oak Lane' },
        }),
      );
      const err = (() => {
        try {
          CustomerDirectory.fromFile(file);
        } catch (e) {
          return e;
        }
      })();
      expect(isVoicebotError(err) && err.code).toBe('CONFIG_INVALID');
      const message = (err as Error).message;
      expect(message).toContain(`${file} is not a valid customer file`);
      expect(message).toContain(
        'the key "138 0000 0001" is not a phone number in E.164 form; write it as "+8613800000001"',
      );
      expect(message).toContain(
        'the key "not a number" is not a phone number in E.164 form; write the number in E.164 form: "+", the country code and the number, no spaces (e.g. "+8613800000001")',
      );
      expect(message).not.toContain('Invalid key');
      expect(message).not.toContain('+8613800000003');
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
