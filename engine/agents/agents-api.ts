/**
 * HTTP API of the agent registry, on the engine's server:
 *   GET /agents                          all agents with their state
 *   GET /agents/:id                      one agent
 *   PUT /agents/:id/state                body {"state": "ready"|"away"}: the agent's own state
 *   PUT /agents/:id/availability         body {"available": true|false} (= ready / away)
 * With a token, every request needs `Authorization: Bearer <token>` (401 otherwise).
 * Bad bodies get 400 with what is wrong and how to fix it; unknown agents 404.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { RouteHandler } from '../http/server.ts';
import type { AgentRegistry, AgentSetState } from './registry.ts';

const availabilityBody = z.object({ available: z.boolean() }).strict();
const stateBody = z.object({ state: z.enum(['ready', 'away']) }).strict();
const MAX_BODY = 4096;

function send(res: ServerResponse, status: number, body: unknown): true {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  return true;
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const parts: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        resolve(null);
        req.destroy();
        return;
      }
      parts.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function authorized(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? '';
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

type Parsed = { ok: true; state: AgentSetState } | { ok: false; status: number; body: unknown };

/** The wanted state from a PUT body of either form, or the error reply. */
async function wantedState(req: IncomingMessage, form: 'state' | 'availability'): Promise<Parsed> {
  const hint =
    form === 'state'
      ? 'send {"state": "ready"} or {"state": "away"}'
      : 'send {"available": true} or {"available": false}';
  const text = await readBody(req);
  if (text === null) {
    return {
      ok: false,
      status: 413,
      body: { error: 'BODY_TOO_LARGE', message: `keep the body under ${MAX_BODY} bytes` },
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, status: 400, body: { error: 'BAD_JSON', message: 'the body is not JSON', hint } };
  }
  const parsed = form === 'state' ? stateBody.safeParse(json) : availabilityBody.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const message = `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`;
    return { ok: false, status: 400, body: { error: 'BAD_BODY', message, hint } };
  }
  const data = parsed.data as { state?: AgentSetState; available?: boolean };
  return { ok: true, state: data.state ?? (data.available ? 'ready' : 'away') };
}

export interface AgentsApiOptions {
  /** Bearer token every request must carry (e.g. the admin token); absent: open. */
  token?: string;
}

export function agentsApi(registry: AgentRegistry, options: AgentsApiOptions = {}): RouteHandler {
  return async (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path !== '/agents' && !path.startsWith('/agents/')) return false;
    if (options.token && !authorized(req, options.token)) {
      return send(res, 401, {
        error: 'AUTH_INVALID',
        message: 'the agents API needs Authorization: Bearer <admin token>',
        hint: 'send the engine admin token (VOICEBOT_ADMIN_TOKEN) as a bearer token',
      });
    }
    const parts = path.split('/').filter(Boolean);
    if (req.method === 'GET' && parts.length === 1) return send(res, 200, { agents: registry.list() });
    const id = decodeURIComponent(parts[1] ?? '');
    const notFound = () =>
      send(res, 404, {
        error: 'AGENT_NOT_FOUND',
        message: `no agent "${id}"`,
        hint: 'GET /agents lists them',
      });
    if (req.method === 'GET' && parts.length === 2) {
      const agent = registry.get(id);
      return agent ? send(res, 200, agent) : notFound();
    }
    const form = parts[2];
    if (req.method === 'PUT' && parts.length === 3 && (form === 'state' || form === 'availability')) {
      const wanted = await wantedState(req, form);
      if (!wanted.ok) return send(res, wanted.status, wanted.body);
      const agent = registry.setState(id, wanted.state);
      return agent ? send(res, 200, agent) : notFound();
    }
    return send(res, 405, { error: 'METHOD_NOT_ALLOWED', message: `${req.method} ${path} is not supported` });
  };
}
