/**
 * SIP message model and serializer (RFC 3261 §7). Pure: no I/O. Header names are kept in
 * lowercase with compact forms expanded; values keep their original text. Multi-valued headers
 * (Via, Route, Record-Route, Contact) are stored one value per entry so the first hop is `get()`.
 */

export interface Header {
  name: string;
  value: string;
}

const COMPACT: Record<string, string> = {
  i: 'call-id',
  f: 'from',
  t: 'to',
  v: 'via',
  m: 'contact',
  l: 'content-length',
  c: 'content-type',
  k: 'supported',
  e: 'content-encoding',
  s: 'subject',
  o: 'event',
  r: 'refer-to',
  b: 'referred-by',
  x: 'session-expires',
  u: 'allow-events',
};

const CANONICAL: Record<string, string> = {
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'www-authenticate': 'WWW-Authenticate',
  'mime-version': 'MIME-Version',
  rack: 'RAck',
  rseq: 'RSeq',
};

export function normalizeHeaderName(name: string): string {
  const lower = name.trim().toLowerCase();
  return COMPACT[lower] ?? lower;
}

export function canonicalHeaderName(name: string): string {
  return (
    CANONICAL[name] ??
    name
      .split('-')
      .map((p) => (p ? p[0]!.toUpperCase() + p.slice(1) : p))
      .join('-')
  );
}

export class SipHeaders {
  readonly list: Header[] = [];

  constructor(entries: Iterable<[string, string]> = []) {
    for (const [n, v] of entries) this.add(n, v);
  }

  get(name: string): string | undefined {
    const n = normalizeHeaderName(name);
    return this.list.find((h) => h.name === n)?.value;
  }

  getAll(name: string): string[] {
    const n = normalizeHeaderName(name);
    return this.list.filter((h) => h.name === n).map((h) => h.value);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  add(name: string, value: string): this {
    this.list.push({ name: normalizeHeaderName(name), value });
    return this;
  }

  /** Adds before all existing values of the same header (a new top Via). */
  prepend(name: string, value: string): this {
    this.list.unshift({ name: normalizeHeaderName(name), value });
    return this;
  }

  set(name: string, value: string): this {
    this.remove(name);
    return this.add(name, value);
  }

  remove(name: string): this {
    const n = normalizeHeaderName(name);
    for (let i = this.list.length - 1; i >= 0; i--) if (this.list[i]!.name === n) this.list.splice(i, 1);
    return this;
  }

  clone(): SipHeaders {
    const h = new SipHeaders();
    for (const e of this.list) h.list.push({ ...e });
    return h;
  }
}

export interface SipRequest {
  kind: 'request';
  method: string;
  uri: string;
  headers: SipHeaders;
  body: Buffer;
}

export interface SipResponse {
  kind: 'response';
  status: number;
  reason: string;
  headers: SipHeaders;
  body: Buffer;
}

export type SipMessage = SipRequest | SipResponse;

export const REASONS: Record<number, string> = {
  100: 'Trying',
  180: 'Ringing',
  181: 'Call Is Being Forwarded',
  183: 'Session Progress',
  200: 'OK',
  202: 'Accepted',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  420: 'Bad Extension',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected',
  483: 'Too Many Hops',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  491: 'Request Pending',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  505: 'Version Not Supported',
  513: 'Message Too Large',
  603: 'Decline',
};

export function serialize(message: SipMessage): Buffer {
  const start =
    message.kind === 'request'
      ? `${message.method} ${message.uri} SIP/2.0`
      : `SIP/2.0 ${message.status} ${message.reason}`;
  const lines = [start];
  for (const h of message.headers.list) {
    if (h.name === 'content-length') continue;
    lines.push(`${canonicalHeaderName(h.name)}: ${h.value}`);
  }
  lines.push(`Content-Length: ${message.body.length}`, '', '');
  const head = Buffer.from(lines.join('\r\n'), 'utf8');
  return message.body.length ? Buffer.concat([head, message.body]) : head;
}

export function createRequest(
  method: string,
  uri: string,
  headers: Iterable<[string, string]>,
  body: Buffer | string = Buffer.alloc(0),
): SipRequest {
  return {
    kind: 'request',
    method,
    uri,
    headers: new SipHeaders(headers),
    body: typeof body === 'string' ? Buffer.from(body) : body,
  };
}

/**
 * A response to `request` per RFC 3261 §8.2.6: copies Via, From, To, Call-ID and CSeq, and adds
 * a To tag when given and none is present (never on 100 Trying).
 */
export function createResponse(
  request: SipRequest,
  status: number,
  options: {
    reason?: string;
    toTag?: string;
    headers?: Iterable<[string, string]>;
    body?: Buffer | string;
  } = {},
): SipResponse {
  const headers = new SipHeaders();
  for (const v of request.headers.getAll('via')) headers.add('via', v);
  headers.add('from', request.headers.get('from') ?? '');
  let to = request.headers.get('to') ?? '';
  if (options.toTag && status !== 100 && !/;\s*tag=/i.test(to)) to = `${to};tag=${options.toTag}`;
  headers.add('to', to);
  headers.add('call-id', request.headers.get('call-id') ?? '');
  headers.add('cseq', request.headers.get('cseq') ?? '');
  for (const [n, v] of options.headers ?? []) headers.add(n, v);
  const body = options.body ?? Buffer.alloc(0);
  return {
    kind: 'response',
    status,
    reason: options.reason ?? REASONS[status] ?? 'Unknown',
    headers,
    body: typeof body === 'string' ? Buffer.from(body) : body,
  };
}
