import type { Server } from 'node:http';
import { createEchoMenuHandler } from '../dialogs/skeleton/echo-menu.ts';
import { defaultSkeletonVad } from '../dialogs/skeleton/vad.ts';
import type { CallHandler } from '../telephony/call-leg.ts';
import { Pacer } from '../telephony/media/pacer.ts';
import { SipUserAgent } from '../telephony/sip/user-agent.ts';
import { createGateway, type Gateway } from '../telephony/ws/gateway.ts';
import { campaignRoutes } from './campaigns/api/campaign-routes.ts';
import type { CampaignStore } from './campaigns/store/types.ts';
import type { Config } from './config/schema.ts';
import { createHttpServer, listen, type RouteHandler } from './http/server.ts';
import { createRootLogger, type Logger } from './log/logger.ts';
import { Metrics } from './metrics/metrics.ts';

export interface EngineOptions {
  config: Config;
  /** Runs each call once its leg is up (default: the walking-skeleton echo / keypad menu). */
  handler?: CallHandler;
  /** Extra HTTP routes on the same listener (webhooks such as Twilio status callbacks). */
  routes?: RouteHandler[];
  /** The campaign REST API (/api/campaigns, /api/dnc), refused without the admin bearer token. */
  campaigns?: { store: CampaignStore; adminToken: string | undefined };
  log?: Logger;
  metrics?: Metrics;
}

export interface Engine {
  port: number;
  /** http://host:port (WebSocket endpoints: ws://host:port/twilio and /raw). */
  url: string;
  metrics: Metrics;
  gateway: Gateway;
  /** The SIP edge (UDP), when sip.enabled. */
  sip?: SipUserAgent;
  close(): Promise<void>;
}

/**
 * Starts one engine: the HTTP listener (/healthz, /readyz, /metrics), the WebSocket gateway on
 * the same port and the shared outbound pacer. close() hangs up every call (reason shutdown,
 * sockets closed with 1001), stops the pacer and the listener.
 */
export async function startEngine(options: EngineOptions): Promise<Engine> {
  const { config } = options;
  const log = options.log ?? createRootLogger({ level: config.logLevel, logPii: config.logPii });
  const metrics = options.metrics ?? new Metrics();
  const pacer = new Pacer({ onLateness: (lateMs) => metrics.sendLateness.observe(lateMs / 1000) });
  const handler = options.handler ?? createEchoMenuHandler({ log, createVad: defaultSkeletonVad });
  const gateway = createGateway({ config, handler, log, metrics, pacer });
  const sip = config.sip.enabled
    ? await SipUserAgent.start({ ...config.sip, pacer, metrics, log, onCall: handler })
    : undefined;
  let ready = false;
  const server: Server = createHttpServer({
    log,
    metrics,
    isReady: () => ready,
    onUpgrade: (req, socket, head) => gateway.handleUpgrade(req, socket, head),
    routes: [
      ...(options.routes ?? []),
      ...(options.campaigns ? [campaignRoutes({ ...options.campaigns, metrics })] : []),
    ],
  });
  const port = await listen(server, config.port, config.host);
  ready = true;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  log.info({ host: config.host, port }, 'voicebot listening');

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      ready = false;
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      await gateway.close();
      await sip?.close();
      pacer.stop();
      server.closeAllConnections();
      await serverClosed;
      log.info('voicebot stopped');
    })();
    return closing;
  };

  return { port, url: `http://${host}:${port}`, metrics, gateway, sip, close };
}
