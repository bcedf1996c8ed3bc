import { normalizeHeaderName, SipHeaders, type SipMessage, type SipRequest } from './message.ts';

/**
 * SIP message parser for one datagram (RFC 3261 §7, §18.3). Pure. Strict where a sloppy parse
 * would be unsafe (Content-Length, mandatory headers, sizes), lenient about whitespace and case.
 * Hand-written: the npm `sip` package is an untyped 2014 stack with its own transport layer, and
 * parsing is the small part of SIP where we need exact control over error answers.
 */

export interface ParseLimits {
  /** Largest whole message accepted (a datagram above this is answered 513 when possible). */
  maxMessageBytes: number;
  /** Largest body accepted (answered 413). */
  maxBodyBytes: number;
  maxHeaders: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = {
  maxMessageBytes: 16 * 1024,
  maxBodyBytes: 8 * 1024,
  maxHeaders: 100,
};

/** A message that cannot be used. When `request` is set, a response with `status` can be sent. */
export class SipParseError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly request?: SipRequest,
  ) {
    super(message);
    this.name = 'SipParseError';
  }
}

const MULTI_VALUE = new Set(['via', 'route', 'record-route', 'contact', 'allow', 'supported', 'require']);
const METHOD_RE = /^[A-Za-z!%*_+`'~.-]+$/;
const REQUIRED = ['via', 'from', 'to', 'call-id', 'cseq'];

/** Splits a header value on commas outside quotes and angle brackets. */
export function splitHeaderList(value: string): string[] {
  const out: string[] = [];
  let depthAngle = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (quoted) {
      if (ch === '\\') i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === '<') depthAngle++;
    else if (ch === '>') depthAngle = Math.max(0, depthAngle - 1);
    else if (ch === ',' && depthAngle === 0) {
      out.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(value.slice(start).trim());
  return out.filter((v) => v.length > 0);
}

export function parseMessage(data: Buffer, limits: ParseLimits = DEFAULT_PARSE_LIMITS): SipMessage {
  let headEnd = data.indexOf('\r\n\r\n');
  let sepLen = 4;
  if (headEnd < 0) {
    headEnd = data.indexOf('\n\n');
    sepLen = 2;
  }
  if (headEnd < 0) {
    // Allow a message without a body and without the final empty line.
    headEnd = data.length;
    sepLen = 0;
  }
  const head = data.subarray(0, headEnd).toString('utf8');
  const rawLines = head.split(/\r?\n/);
  // Unfold continuation lines (RFC 3261 §7.3.1).
  const lines: string[] = [];
  for (const line of rawLines) {
    if (/^[ \t]/.test(line) && lines.length > 1) lines[lines.length - 1] += ` ${line.trim()}`;
    else lines.push(line);
  }
  while (lines.length && lines[0] === '') lines.shift();
  const startLine = lines.shift() ?? '';
  const headers = new SipHeaders();
  const headerProblems: string[] = [];
  if (lines.length > limits.maxHeaders) headerProblems.push(`more than ${limits.maxHeaders} headers`);
  for (const line of lines.slice(0, limits.maxHeaders)) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) {
      headerProblems.push(`header line without a colon: ${JSON.stringify(line.slice(0, 40))}`);
      continue;
    }
    const name = normalizeHeaderName(line.slice(0, colon));
    const value = line.slice(colon + 1).trim();
    if (MULTI_VALUE.has(name)) for (const v of splitHeaderList(value)) headers.add(name, v);
    else headers.add(name, value);
  }

  let message: SipMessage;
  const resp = /^SIP\/2\.0\s+(\d{3})\s*(.*)$/i.exec(startLine);
  if (resp) {
    message = {
      kind: 'response',
      status: Number(resp[1]),
      reason: resp[2] ?? '',
      headers,
      body: Buffer.alloc(0),
    };
  } else {
    const parts = startLine.split(' ');
    if (
      parts.length !== 3 ||
      !METHOD_RE.test(parts[0]!) ||
      !parts[1] ||
      !/^SIP\/\d+\.\d+$/i.test(parts[2]!)
    ) {
      throw new SipParseError(400, `bad start line: ${JSON.stringify(startLine.slice(0, 60))}`);
    }
    message = {
      kind: 'request',
      method: parts[0]!.toUpperCase(),
      uri: parts[1],
      headers,
      body: Buffer.alloc(0),
    };
    if (parts[2]!.toUpperCase() !== 'SIP/2.0')
      throw new SipParseError(505, `unsupported version ${parts[2]}`, usable(message));
  }
  const partial = message.kind === 'request' ? usable(message) : undefined;
  if (data.length > limits.maxMessageBytes)
    throw new SipParseError(
      513,
      `message of ${data.length} bytes exceeds ${limits.maxMessageBytes}`,
      partial,
    );
  const missing = REQUIRED.filter((h) => !headers.has(h));
  if (missing.length) throw new SipParseError(400, `missing header(s): ${missing.join(', ')}`, partial);
  if (headerProblems.length) throw new SipParseError(400, headerProblems[0]!, partial);
  if (!/^\d+\s+[A-Za-z]+$/.test(headers.get('cseq')!.trim()))
    throw new SipParseError(400, `bad CSeq: ${JSON.stringify(headers.get('cseq'))}`, partial);
  if (
    message.kind === 'request' &&
    headers.get('cseq')!.trim().split(/\s+/)[1]!.toUpperCase() !== message.method &&
    message.method !== 'ACK' &&
    message.method !== 'CANCEL'
  )
    throw new SipParseError(400, 'CSeq method does not match the request method', partial);
  const available = data.length - headEnd - sepLen;
  const cl = headers.get('content-length');
  let bodyLength = Math.max(0, available);
  if (cl !== undefined) {
    if (!/^\d+$/.test(cl)) throw new SipParseError(400, `bad Content-Length: ${JSON.stringify(cl)}`, partial);
    bodyLength = Number(cl);
    if (bodyLength > available)
      throw new SipParseError(
        400,
        `Content-Length ${bodyLength} but only ${Math.max(0, available)} body bytes`,
        partial,
      );
  }
  if (bodyLength > limits.maxBodyBytes)
    throw new SipParseError(413, `body of ${bodyLength} bytes exceeds ${limits.maxBodyBytes}`, partial);
  message.body = Buffer.from(data.subarray(headEnd + sepLen, headEnd + sepLen + bodyLength));
  return message;
}

/** A partial request is only useful for an error answer when the response headers can be copied. */
function usable(req: SipRequest): SipRequest | undefined {
  return REQUIRED.every((h) => req.headers.has(h)) ? req : undefined;
}
