/**
 * Test-only: a real `ws` client acting as a telephony platform, recording what the gateway sends.
 * Never imported by engine code.
 */
import { once } from 'node:events';
import { WebSocket } from 'ws';
import type { ConfigInput } from '../../../engine/config/schema.ts';
import { configSchema } from '../../../engine/config/schema.ts';

export const TEST_SECRET = 'test-secret-0123456789abcdef';

export function testConfig(overrides: Partial<ConfigInput> = {}): ReturnType<typeof configSchema.parse> {
  return configSchema.parse({
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent',
    auth: { mode: 'token', tokenSecret: TEST_SECRET },
    ...overrides,
  });
}

export interface Received {
  text: Record<string, unknown>[];
  binary: Buffer[];
  /** Arrival time (performance.now) of each message, in order, text and binary together. */
  times: number[];
}

export class Peer {
  readonly ws: WebSocket;
  readonly received: Received = { text: [], binary: [], times: [] };
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: Array<() => void> = [];

  constructor(
    url: string,
    options: { protocols?: string[]; headers?: Record<string, string>; autoPong?: boolean } = {},
  ) {
    this.ws = new WebSocket(url, options.protocols ?? [], {
      headers: options.headers ?? {},
      autoPong: options.autoPong ?? true,
    });
    this.ws.on('message', (data, isBinary) => {
      this.received.times.push(performance.now());
      if (isBinary) this.received.binary.push(data as Buffer);
      else this.received.text.push(JSON.parse((data as Buffer).toString('utf8')) as Record<string, unknown>);
      for (const w of this.waiters.splice(0)) w();
    });
    this.closed = new Promise((resolve) => {
      this.ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        for (const w of this.waiters.splice(0)) w();
      });
    });
    this.ws.on('error', () => {});
  }

  async open(): Promise<this> {
    if (this.ws.readyState !== WebSocket.OPEN) await once(this.ws, 'open');
    return this;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  sendBinary(data: Uint8Array): void {
    this.ws.send(data);
  }

  /** Resolves when `predicate` holds over what was received (checked on every message). */
  async until(predicate: (r: Received) => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!predicate(this.received)) {
      const left = deadline - performance.now();
      if (left <= 0 || this.ws.readyState === WebSocket.CLOSED) {
        throw new Error(
          `condition not met (${this.received.text.length} text, ${this.received.binary.length} binary)`,
        );
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  events(name: string): Record<string, unknown>[] {
    return this.received.text.filter((m) => m.event === name || m.type === name);
  }
}

/** Opens a socket expecting a refusal; resolves with the HTTP status and JSON body. */
export function expectRefusal(
  url: string,
  options: { headers?: Record<string, string>; protocols?: string[] } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options.protocols ?? [], { headers: options.headers ?? {} });
    ws.on('open', () => {
      ws.close();
      reject(new Error('upgrade unexpectedly accepted'));
    });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: body ? JSON.parse(body) : {} }));
    });
    ws.on('error', () => {});
  });
}

export function twilioStart(streamSid = 'MZ0001', callSid = 'CA0001', extra: Record<string, unknown> = {}) {
  return {
    event: 'start',
    sequenceNumber: '1',
    streamSid,
    start: {
      streamSid,
      accountSid: 'AC0001',
      callSid,
      tracks: ['inbound'],
      customParameters: { tenant: 'acme' },
      mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      ...extra,
    },
  };
}

export function twilioMedia(payload: Uint8Array | string, streamSid = 'MZ0001') {
  return {
    event: 'media',
    streamSid,
    media: {
      track: 'inbound',
      chunk: '1',
      timestamp: '0',
      payload: typeof payload === 'string' ? payload : Buffer.from(payload).toString('base64'),
    },
  };
}

/** Reads a counter's value for the given labels from a registry. */
export async function counterValue(
  registry: { getSingleMetric(name: string): unknown },
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const metric = registry.getSingleMetric(name) as
    | { get(): Promise<{ values: { labels: Record<string, string | number>; value: number }[] }> }
    | undefined;
  if (!metric) return 0;
  const { values } = await metric.get();
  let sum = 0;
  for (const v of values) {
    if (Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want)) sum += v.value;
  }
  return sum;
}
