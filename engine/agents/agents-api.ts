/**
 * HTTP API of the agent registry, on the engine's server:
 *   GET /agents                          all agents with availability
 *   GET /agents/:id                      one agent
 *   PUT /agents/:id/availability         body {"available": true|false}
 * Bad bodies get 400 with what is wrong and how to fix it; unknown agents 404.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { RouteHandler } from '../http/server.ts';
import type { AgentRegistry } from './registry.ts';

const availabilityBody = z.object({ available: z.boolean() }).strict();
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

export function agentsApi(registry: AgentRegistry): RouteHandler {
  return async (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path !== '/agents' && !path.startsWith('/agents/')) return false;
    const parts = path.split('/').filter(Boolean);
    if (req.method === 'GET' && parts.length === 1) return send(res, 200, { agents: registry.list() });
    const id = decodeURIComponent(parts[1] ?? '');
    if (req.method === 'GET' && parts.length === 2) {
      const agent = registry.get(id);
      return agent
        ? send(res, 200, agent)
        : send(res, 404, { error: 'AGENT_NOT_FOUND', message: `no agent "${id}"` });
    }
    if (req.method === 'PUT' && parts.length === 3 && parts[2] === 'availability') {
      const text = await readBody(req);
      if (text === null)
        return send(res, 413, { error: 'BODY_TOO_LARGE', message: `keep the body under ${MAX_BODY} bytes` });
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return send(res, 400, {
          error: 'BAD_JSON',
          message: 'the body is not JSON',
          hint: 'send {"available": true}',
        });
      }
      const parsed = availabilityBody.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return send(res, 400, {
          error: 'BAD_BODY',
          message: `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`,
          hint: 'send {"available": true} or {"available": false}',
        });
      }
      if (!registry.setAvailable(id, parsed.data.available)) {
        return send(res, 404, {
          error: 'AGENT_NOT_FOUND',
          message: `no agent "${id}"`,
          hint: 'GET /agents lists them',
        });
      }
      return send(res, 200, registry.get(id));
    }
    return send(res, 405, { error: 'METHOD_NOT_ALLOWED', message: `${req.method} ${path} is not supported` });
  };
}
