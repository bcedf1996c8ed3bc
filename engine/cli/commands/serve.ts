import { parseArgs } from 'node:util';
import { createEchoMenuHandler } from '../../../dialogs/skeleton/echo-menu.ts';
import { defaultSkeletonVad } from '../../../dialogs/skeleton/vad.ts';
import { agentsApi } from '../../agents/agents-api.ts';
import { AgentRegistry } from '../../agents/registry.ts';
import type { DialerHost } from '../../campaigns/dialer/dialer-host.ts';
import type { CampaignStore } from '../../campaigns/store/types.ts';
import { loadConfig } from '../../config/load.ts';
import { startEngine } from '../../engine.ts';
import { createRootLogger } from '../../log/logger.ts';
import { Metrics } from '../../metrics/metrics.ts';
import { createRoutedSessionHandler } from '../../session/dialog-registry.ts';
import type { Command } from '../main.ts';

const usage = `Usage: voicebot serve [--config FILE] [--host HOST] [--port PORT]

Runs the engine: /healthz, /readyz, /metrics, the agents API (/agents: the config's agents,
ready/away; docs/session.md) and the WebSocket telephony gateway on one port. Every setting can
also come from the environment (README.md#configuration). With an admin token
(VOICEBOT_ADMIN_TOKEN) the agents API needs it as a bearer token, and the engine also serves the
campaign REST API on the campaign store (VOICEBOT_DB or DATABASE_URL) and dials running
campaigns itself (docs/campaigns.md); transfer campaigns hand calls to the same agents.

Options:
  --config FILE   YAML or JSON config file (env VOICEBOT_CONFIG)
  --host HOST     listen address (env VOICEBOT_HOST, default 127.0.0.1)
  --port PORT     listen port, 0 = any free port (env VOICEBOT_PORT, default 8080)
  -h, --help      this text`;

const serve: Command = {
  summary: 'run the engine',
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: { config: { type: 'string' }, host: { type: 'string' }, port: { type: 'string' } },
      strict: true,
    });
    const config = loadConfig({ file: values.config, overrides: { host: values.host, port: values.port } });
    const log = createRootLogger({ level: config.logLevel, logPii: config.logPii });
    const metrics = new Metrics({ defaultMetrics: true });
    // One registry: the agents API marks agents ready/away; sessions and dialers hand calls to them.
    const agents = new AgentRegistry(config.agents);
    const agentRoutes = agentsApi(agents, { token: config.campaigns.adminToken });
    // With `routes`, calls run dialog sessions; unrouted calls and 'skeleton' go to the skeleton.
    const routed = config.routes.length
      ? await createRoutedSessionHandler({
          config,
          log,
          metrics,
          agents,
          fallback: createEchoMenuHandler({ log, createVad: defaultSkeletonVad }),
        })
      : undefined;
    const campaigns = config.campaigns.adminToken ? await startCampaigns(config, log, metrics, agents) : null;
    const inbound =
      routed?.handler ?? (campaigns ? createEchoMenuHandler({ log, createVad: defaultSkeletonVad }) : null);
    const engine = await startEngine({
      config,
      log,
      metrics,
      ...(campaigns && inbound
        ? { handler: campaigns.registry.wrap(inbound) }
        : inbound
          ? { handler: inbound }
          : {}),
      routes: campaigns ? [agentRoutes, campaigns.host.route] : [agentRoutes],
      // A variable, not a literal: campaignRoutes also takes the onControl hook.
      ...(campaigns ? { campaigns: campaigns.api } : {}),
    });
    await campaigns?.host.attach(engine);
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        log.info({ signal, activeCalls: engine.gateway.activeCalls() }, 'shutting down');
        const dialers = campaigns?.host.close(); // no new dials from here on
        engine
          .close()
          .then(() => dialers)
          .then(() => campaigns?.store.close())
          .then(() => routed?.close())
          .then(resolve, (err: unknown) => {
            log.error({ err }, 'shutdown failed');
            resolve();
          });
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return 0;
  },
};

/** The campaign store, the REST API's dependencies and the in-process dialers. */
async function startCampaigns(
  config: ReturnType<typeof loadConfig>,
  log: ReturnType<typeof createRootLogger>,
  metrics: Metrics,
  agents: AgentRegistry,
) {
  const [{ OutboundRegistry }, { DialerHost: Host }, store] = await Promise.all([
    import('../../../telephony/carriers/outbound-registry.ts'),
    import('../../campaigns/dialer/dialer-host.ts'),
    openCampaignStore(config),
  ]);
  const registry = new OutboundRegistry();
  const host: DialerHost = new Host({ store, config, registry, log, metrics, agents });
  const api = { store, adminToken: config.campaigns.adminToken, onControl: host.onControl };
  return { registry, host, store, api };
}

async function openCampaignStore(config: ReturnType<typeof loadConfig>): Promise<CampaignStore> {
  const { databaseUrl, db } = config.campaigns;
  if (databaseUrl) {
    const { PgCampaignStore } = await import('../../campaigns/store/pg-store.ts');
    return PgCampaignStore.open({ connectionString: databaseUrl });
  }
  const [{ SqliteCampaignStore }, { mkdirSync }, { dirname, resolve }] = await Promise.all([
    import('../../campaigns/store/sqlite-store.ts'),
    import('node:fs'),
    import('node:path'),
  ]);
  mkdirSync(dirname(resolve(db)), { recursive: true });
  return SqliteCampaignStore.open(resolve(db));
}

export default serve;
