/**
 * The dialers inside `voicebot serve`: one Dialer per running campaign, started and stopped by
 * the campaign REST API (its onControl hook) and, at start-up, for every campaign the store
 * already has running (a restart picks up where the last process stopped). The session runner
 * and the carrier are made on the first campaign start, so an engine that never dials never
 * loads the recognizer. A campaign with `transfer` gets an agent pool over the engine's agent
 * registry (the one the agents API serves and inbound sessions use), limited to its queue;
 * bot-only campaigns get none. close() stops claiming, lets running calls finish, and closes both.
 */
import { hostname } from 'node:os';
import type { Carrier } from '../../../telephony/carriers/carrier.ts';
import type { OutboundRegistry } from '../../../telephony/carriers/outbound-registry.ts';
import { AgentRegistry } from '../../agents/registry.ts';
import type { Config } from '../../config/schema.ts';
import type { Engine } from '../../engine.ts';
import type { RouteHandler } from '../../http/server.ts';
import type { Logger } from '../../log/logger.ts';
import type { Metrics } from '../../metrics/metrics.ts';
import type { CampaignStore } from '../store/types.ts';
import {
  agentPoolFor,
  type CampaignRunner,
  carrierRoute,
  createCampaignRunner,
  createCarrier,
} from './campaign-runtime.ts';
import type { ControlAction } from './controls.ts';
import type { DialerOptions } from './dialer.ts';
import { Dialer } from './dialer.ts';

export interface DialerHostOptions {
  store: CampaignStore;
  config: Config;
  registry: OutboundRegistry;
  log: Logger;
  metrics: Metrics;
  /** The engine's agents (serve's agents API); default: a registry of config.agents. */
  agents?: AgentRegistry;
  workerId?: string;
  /** Overrides for tests: the runner, the carrier, dialer settings. */
  makeRunner?: () => Promise<CampaignRunner>;
  makeCarrier?: (engine: Engine) => Carrier;
  dialer?: Partial<Pick<DialerOptions, 'tickMs' | 'idleMaxMs' | 'leaseMs' | 'ringTimeoutMs'>>;
}

export class DialerHost {
  private readonly o: DialerHostOptions;
  private readonly workerId: string;
  private readonly agents: AgentRegistry;
  private engine: Engine | null = null;
  private setup: Promise<{ runner: CampaignRunner; carrier: Carrier }> | null = null;
  private statusRoute: RouteHandler | null = null;
  private readonly dialers = new Map<string, { dialer: Dialer; done: Promise<void> }>();
  private closing = false;

  constructor(options: DialerHostOptions) {
    this.o = options;
    this.workerId = options.workerId ?? `${hostname()}-${process.pid}`;
    this.agents = options.agents ?? new AgentRegistry(options.config.agents);
  }

  /** Mount on the engine before it starts (Twilio status callbacks, when that carrier is used). */
  readonly route: RouteHandler = (req, res) => this.statusRoute?.(req, res) ?? false;

  /** For the REST API: start/resume run a dialer here; pause/stop end it once its calls finish. */
  readonly onControl = (campaignId: string, action: ControlAction): void => {
    if (action === 'start' || action === 'resume') this.start(campaignId);
    else this.dialers.get(campaignId)?.dialer.stop();
  };

  /** The engine is up: dial every campaign the store has running. */
  async attach(engine: Engine): Promise<void> {
    this.engine = engine;
    for (const c of await this.o.store.listCampaigns()) {
      if (c.status === 'running') this.start(c.campaign.id);
    }
  }

  get running(): string[] {
    return [...this.dialers.keys()];
  }

  /** Resolves when the campaign's dialer in this process has returned (at once if none runs). */
  async settled(campaignId: string): Promise<void> {
    await this.dialers.get(campaignId)?.done;
  }

  private prepare(): Promise<{ runner: CampaignRunner; carrier: Carrier }> {
    this.setup ??= (async () => {
      const engine = this.engine;
      if (!engine) throw new Error('DialerHost.attach(engine) first');
      const carrier =
        this.o.makeCarrier?.(engine) ??
        createCarrier({
          name: this.o.config.campaigns.carrier,
          config: this.o.config,
          engine,
          registry: this.o.registry,
          log: this.o.log,
        });
      this.statusRoute = carrierRoute(carrier, this.o.config);
      const runner = await (this.o.makeRunner?.() ??
        createCampaignRunner(this.o.config, { log: this.o.log, metrics: this.o.metrics }));
      return { runner, carrier };
    })();
    return this.setup;
  }

  private start(campaignId: string): void {
    if (this.closing || this.dialers.has(campaignId)) return;
    const log = this.o.log.child({ campaignId });
    const entry = { dialer: null as Dialer | null, done: Promise.resolve() };
    let stopEarly = false;
    const slot = {
      get dialer() {
        return entry.dialer ?? ({ stop: () => (stopEarly = true) } as unknown as Dialer);
      },
      done: (async () => {
        let pool: Awaited<ReturnType<typeof agentPoolFor>>;
        try {
          pool = await agentPoolFor(this.o.store, campaignId, this.agents);
          const { runner, carrier } = await this.prepare();
          const dialer = new Dialer({
            store: this.o.store,
            campaignId,
            workerId: this.workerId,
            carrier,
            runCall: runner.runCall,
            ...(pool ? { agents: pool } : {}),
            exitWhenDone: true,
            metrics: this.o.metrics,
            logger: log,
            ...this.o.dialer,
          });
          entry.dialer = dialer;
          if (stopEarly || this.closing) dialer.stop();
          log.info('dialer started');
          const summary = await dialer.run();
          log.info({ claimed: summary.claimed, finalStatus: summary.finalStatus }, 'dialer returned');
        } catch (err) {
          log.error({ err }, 'dialer failed');
        } finally {
          pool?.close();
          this.dialers.delete(campaignId);
        }
      })(),
    };
    this.dialers.set(campaignId, slot);
  }

  /** No new dials; running calls finish; then the runner and the carrier close. */
  async close(): Promise<void> {
    this.closing = true;
    const all = [...this.dialers.values()];
    for (const d of all) d.dialer.stop();
    await Promise.all(all.map((d) => d.done));
    if (this.setup) {
      const { runner, carrier } = await this.setup.catch(() => ({ runner: null, carrier: null }));
      await carrier?.close();
      await runner?.close();
    }
  }
}
