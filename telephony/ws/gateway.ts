import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { type Clock, systemClock } from '../../engine/clock.ts';
import type { Config } from '../../engine/config/schema.ts';
import { type ErrorCode, isVoicebotError, VoicebotError } from '../../engine/errors.ts';
import type { Logger } from '../../engine/log/logger.ts';
import type { Metrics } from '../../engine/metrics/metrics.ts';
import type { CallHandler, CallLeg } from '../call-leg.ts';
import { RAW_SUBPROTOCOLS } from '../codecs/raw.ts';
import type { BaseLeg } from '../leg/base-leg.ts';
import type { Pacer } from '../media/pacer.ts';
import { authorizeUpgrade } from './authorize.ts';
import { RawConnection } from './raw-call.ts';
import { TwilioConnection } from './twilio-call.ts';
import type { WsConnection, WsConnectionDeps, WsTransport } from './ws-connection.ts';

export interface Gateway {
  activeCalls(): number;
  calls(): CallLeg[];
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
}

export interface GatewayOptions {
  config: Config;
  handler: CallHandler;
  log: Logger;
  metrics: Metrics;
  pacer: Pacer;
  clock?: Clock;
  /** How long close() waits for sockets to finish their closing handshake (default 2000). */
  closeGraceMs?: number;
}

const STATUS_TEXT: Record<number, string> = {
  401: 'Unauthorized',
  404: 'Not Found',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** `/twilio`, `/raw` (trailing slash allowed); anything else is not ours. */
export function routeOf(url: string | undefined): WsTransport | null {
  const path = (url ?? '/').split('?')[0]!.replace(/\/+$/, '');
  if (path === '/twilio') return 'twilio';
  if (path === '/raw') return 'raw';
  return null;
}

/** A refusal before the upgrade: a plain HTTP response with a JSON {code, message, hint} body. */
function refuse(socket: Duplex, status: number, err: VoicebotError): void {
  const body = JSON.stringify({ code: err.code, message: err.message, hint: err.hint });
  if (!socket.writable) return;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * The WebSocket telephony gateway: authenticates upgrades, routes /twilio and /raw to their
 * protocol, hands each started call to the handler, and shuts all calls down gracefully.
 */
class WsGateway implements Gateway {
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<WsConnection>();
  private pending = 0;
  private closing = false;
  private readonly clock: Clock;
  /** One heartbeat timer for all sockets, running only while there are any. */
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(private readonly options: GatewayOptions) {
    this.clock = options.clock ?? systemClock;
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: options.config.gateway.maxMessageBytes,
      handleProtocols: (protocols, req) => {
        if (routeOf(req.url) !== 'raw') return false;
        for (const p of protocols) if ((RAW_SUBPROTOCOLS as readonly string[]).includes(p)) return p;
        return false;
      },
    });
  }

  activeCalls(): number {
    let n = 0;
    for (const c of this.connections) if (c.call?.active) n++;
    return n;
  }

  calls(): CallLeg[] {
    const out: CallLeg[] = [];
    for (const c of this.connections) if (c.call?.active) out.push(c.call);
    return out;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const { log, metrics, config } = this.options;
    try {
      const route = routeOf(req.url);
      if (!route) {
        metrics.protocolErrors.inc({ transport: 'http', code: 'WS_UNKNOWN_PATH' });
        log.info(
          { code: 'WS_UNKNOWN_PATH', path: (req.url ?? '').split('?')[0]!.slice(0, 100) },
          'upgrade refused',
        );
        refuse(socket, 404, new VoicebotError('WS_UNKNOWN_PATH', 'no WebSocket endpoint at this path'));
        return;
      }
      if (this.closing) {
        refuse(socket, 503, new VoicebotError('WS_AT_CAPACITY', 'the server is shutting down'));
        return;
      }
      if (this.connections.size + this.pending >= config.gateway.maxCalls) {
        metrics.protocolErrors.inc({ transport: route, code: 'WS_AT_CAPACITY' });
        log.warn({ code: 'WS_AT_CAPACITY', maxCalls: config.gateway.maxCalls }, 'upgrade refused');
        refuse(socket, 503, new VoicebotError('WS_AT_CAPACITY', `at maxCalls (${config.gateway.maxCalls})`));
        return;
      }
      try {
        authorizeUpgrade(req, route, config);
      } catch (err) {
        const e = isVoicebotError(err) ? err : new VoicebotError('AUTH_INVALID', 'credential check failed');
        metrics.authFailures.inc({ code: e.code });
        log.warn({ code: e.code, route, remote: req.socket.remoteAddress }, `upgrade refused: ${e.message}`);
        refuse(socket, 401, e);
        return;
      }
      // Counted until the handshake completes or the socket dies (ws answers a bad upgrade itself).
      this.pending++;
      let settled = false;
      const settle = () => {
        if (!settled) this.pending--;
        settled = true;
      };
      socket.once('close', settle);
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        settle();
        if (this.closing) {
          ws.close(1001, 'server shutting down');
          return;
        }
        const deps: WsConnectionDeps = {
          ws,
          log,
          metrics,
          pacer: this.options.pacer,
          clock: this.clock,
          settings: config.gateway,
          ...(config.auth.twilioAuthToken ? { twilioAuthToken: config.auth.twilioAuthToken } : {}),
          onLeg: (leg) => this.runHandler(leg),
        };
        const conn = route === 'twilio' ? new TwilioConnection(deps) : new RawConnection(deps);
        this.connections.add(conn);
        this.heartbeat ??= setInterval(() => {
          for (const c of this.connections) c.heartbeat();
        }, config.gateway.pingIntervalMs);
        void conn.closed.then(() => {
          this.connections.delete(conn);
          if (this.connections.size === 0 && this.heartbeat) {
            clearInterval(this.heartbeat);
            this.heartbeat = null;
          }
        });
      });
    } catch (err) {
      log.error({ err, code: 'INTERNAL' satisfies ErrorCode }, 'upgrade failed');
      refuse(socket, 500, new VoicebotError('INTERNAL', 'upgrade failed'));
    }
  }

  /** Runs synchronously, so the handler's listeners are in place before the next message. */
  private runHandler(leg: BaseLeg): void {
    const { handler, log } = this.options;
    const fail = (err: unknown) => {
      log.error({ err, callId: leg.info.callId, code: 'INTERNAL' }, 'call handler failed');
      leg.end('error', 'handler failed');
    };
    try {
      const result = handler(leg);
      if (result instanceof Promise) result.catch(fail);
    } catch (err) {
      fail(err);
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    const all = [...this.connections];
    for (const conn of all) conn.shutdown();
    const grace = this.options.closeGraceMs ?? 2000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), grace);
    });
    const done = await Promise.race([Promise.all(all.map((c) => c.closed)).then(() => false), timedOut]);
    clearTimeout(timer);
    if (done) for (const conn of this.connections) conn.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

export function createGateway(options: GatewayOptions): Gateway {
  return new WsGateway(options);
}
