import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ERROR_CODES, type ErrorCode, isVoicebotError } from '../../errors.ts';

/** JSON replies and errors for the campaign API: `{error: {code, message, hint}}`. */
const STATUS: Partial<Record<ErrorCode, number>> = {
  AUTH_MISSING: 401,
  AUTH_INVALID: 401,
  CAMPAIGN_NOT_FOUND: 404,
  CAMPAIGN_EXISTS: 409,
  CAMPAIGN_INVALID: 400,
  CONTACTS_BAD_FILE: 400,
  STORE_UNAVAILABLE: 503,
};

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

export function sendError(res: ServerResponse, code: ErrorCode, message: string, status?: number): void {
  sendJson(res, status ?? STATUS[code] ?? 500, { error: { code, message, hint: ERROR_CODES[code].hint } });
}

/** Replies for an error thrown by a handler; false when it is not ours to describe. */
export function sendThrown(res: ServerResponse, err: unknown): boolean {
  if (!isVoicebotError(err)) return false;
  sendError(res, err.code, err.message);
  return true;
}

/** Bearer-token check against the configured admin token (constant time). */
export function checkBearer(req: IncomingMessage, res: ServerResponse, token: string | undefined): boolean {
  const header = req.headers.authorization;
  if (!token) {
    sendError(res, 'AUTH_INVALID', 'the campaign API is disabled: no admin token is configured', 401);
    return false;
  }
  if (!header?.startsWith('Bearer ')) {
    sendError(res, 'AUTH_MISSING', 'send Authorization: Bearer <admin token>');
    return false;
  }
  const given = Buffer.from(header.slice('Bearer '.length));
  const want = Buffer.from(token);
  if (given.length !== want.length || !timingSafeEqual(given, want)) {
    sendError(res, 'AUTH_INVALID', 'the bearer token does not match the admin token');
    return false;
  }
  return true;
}

/** Reads a JSON body up to `maxBytes`; null after replying with an error. */
export async function readJson(req: IncomingMessage, res: ServerResponse, maxBytes = 1_000_000) {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      sendError(res, 'CAMPAIGN_INVALID', `the body is larger than ${maxBytes} bytes`, 413);
      return null;
    }
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch (err) {
    sendError(res, 'CAMPAIGN_INVALID', `the body is not JSON: ${(err as Error).message}`);
    return null;
  }
}
