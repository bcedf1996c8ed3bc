/**
 * The route that receives Twilio's call status callbacks (POST, form-encoded) on the engine's
 * HTTP server. Each request must carry a valid X-Twilio-Signature over the URL Twilio called
 * and the form fields; anything else gets 403 and is ignored.
 */
import type { IncomingMessage } from 'node:http';
import type { RouteHandler } from '../../../engine/http/server.ts';
import type { Logger } from '../../../engine/log/logger.ts';
import { validateTwilioSignature } from '../../auth/twilio-signature.ts';
import { twilioSignedUrlCandidates } from '../../ws/authorize.ts';

export interface StatusRouteOptions {
  /** Path of the route, e.g. /twilio/status. */
  path: string;
  authToken: string;
  /** The engine's public base URL as Twilio calls it (https://...), when behind a proxy. */
  publicUrl?: string;
  onStatus: (params: Record<string, string>) => void;
  log?: Logger;
}

const MAX_BODY = 64 * 1024;

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        resolve(null);
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(null));
  });
}

export function twilioStatusRoute(options: StatusRouteOptions): RouteHandler {
  return async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== options.path) return false;
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end();
      return true;
    }
    const body = await readBody(req);
    if (body === null) {
      res.writeHead(413).end();
      return true;
    }
    const params: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(body)) params[k] = v;
    const header = req.headers['x-twilio-signature'];
    const signature = Array.isArray(header) ? header[0] : header;
    // Twilio signs the https URL it called; candidates are built like the WS upgrade's.
    const candidates = twilioSignedUrlCandidates(req, options.publicUrl).map((u) =>
      u.replace(/^wss:/, 'https:').replace(/^ws:/, 'http:'),
    );
    const valid =
      typeof signature === 'string' &&
      candidates.some((url) => validateTwilioSignature(options.authToken, signature, url, params));
    if (!valid) {
      options.log?.warn(
        { code: 'AUTH_INVALID', path },
        'twilio status callback with a bad signature refused',
      );
      res
        .writeHead(403, { 'content-type': 'application/json' })
        .end(JSON.stringify({ code: 'AUTH_INVALID', message: 'X-Twilio-Signature does not match' }));
      return true;
    }
    options.onStatus(params);
    res.writeHead(204).end();
    return true;
  };
}
