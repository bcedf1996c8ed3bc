import type { Carrier } from '../../../telephony/carriers/carrier.ts';
import { VoicebotError } from '../../errors.ts';
import type { Logger } from '../../log/logger.ts';
import type { Metrics } from '../../metrics/metrics.ts';
import { abandonRules } from '../compliance-profiles.ts';
import type { Campaign, Disposition } from '../model.ts';
import type { CampaignStore } from '../store/types.ts';
import type { AgentPool } from './agent-pool.ts';
import { runAttempt } from './attempt.ts';
import { type DialerClock, realDialerClock } from './clock.ts';
import { Pacer, type PacingOptions } from './pacer.ts';
import { TokenBucket } from './token-bucket.ts';
import type { DialerEvent, RunCall } from './types.ts';

export interface DialerOptions {
  store: CampaignStore;
  campaignId: string;
  /** Names this engine process in leases; unique per process. */
  workerId: string;
  /** One carrier for every trunk, or one per trunk name. */
  carrier: Carrier | ((trunk: string) => Carrier);
  runCall: RunCall;
  clock?: DialerClock;
  pacing?: PacingOptions;
  /** Agents for transfer scripts (lines follow idle agents). */
  agents?: AgentPool;
  leaseMs?: number;
  ringTimeoutMs?: number;
  /** How often the abandon-rate window is read again from the store (default 10 s). */
  abandonRefreshMs?: number;
  /** Longest sleep between loop turns while calls run or contacts are due. */
  tickMs?: number;
  /** Longest sleep while nothing is due. */
  idleMaxMs?: number;
  /** Return (and mark the campaign done) once no contact is pending or leased. */
  exitWhenDone?: boolean;
  /** Return once nothing is due now and no call runs (later retries stay scheduled). */
  exitWhenIdle?: boolean;
  metrics?: Metrics;
  logger?: Logger;
  onEvent?: (e: DialerEvent) => void;
}

export interface DialerSummary {
  /** Attempts claimed (dialed, or recorded not-dialed after the pre-dial check). */
  claimed: number;
  results: Partial<Record<Disposition, number>>;
  /** Results refused by the store (lease expired and reclaimed, duplicate). */
  refused: number;
  finalStatus: string;
}

interface Trunk {
  name: string;
  carrier: Carrier;
  bucket: TokenBucket;
  max: number;
  active: number;
}

/**
 * The dialer loop of one engine process for one campaign: claims due contacts atomically with
 * leases as pacing, trunk concurrency and CPS allow, and runs each attempt (attempt.ts). The
 * campaign's status in the store is the switch shared by every process: pause and stop mean
 * no new dials while running calls finish. Time comes from the injected clock.
 */
export class Dialer {
  private readonly o: DialerOptions;
  private readonly clock: DialerClock;
  private pacer: Pacer;
  private startedAtMs = 0;
  private readonly hardStop = new AbortController();
  private wake = new AbortController();
  private stopping = false;
  private active = new Set<Promise<void>>();
  private inFlight = 0;
  private readonly summary: DialerSummary = { claimed: 0, results: {}, refused: 0, finalStatus: '' };

  constructor(options: DialerOptions) {
    this.o = options;
    this.clock = options.clock ?? realDialerClock;
    this.pacer = new Pacer(options.pacing ?? { mode: 'progressive' });
  }

  /** Stops claiming in this process; running calls finish, then run() returns. Idempotent. */
  stop(): void {
    this.stopping = true;
    this.wake.abort();
  }

  /** Aborts running calls too (process shutdown). */
  abort(): void {
    this.stop();
    this.hardStop.abort();
  }

  get pacing() {
    return this.pacer.state();
  }

  get activeCalls(): number {
    return this.active.size;
  }

  async run(): Promise<DialerSummary> {
    const { store, campaignId } = this.o;
    const stored = await store.getCampaign(campaignId);
    if (!stored) {
      throw new VoicebotError('CAMPAIGN_NOT_FOUND', `no campaign with id "${campaignId}"`, { campaignId });
    }
    const campaign = stored.campaign;
    const abandon = abandonRules(campaign, this.o.pacing);
    this.pacer = new Pacer({ ...(this.o.pacing ?? { mode: 'progressive' }), dropTarget: abandon.maxRate });
    this.startedAtMs = this.clock.now();
    const refreshMs = this.o.abandonRefreshMs ?? 10_000;
    let lastSync = Number.NEGATIVE_INFINITY;
    const trunks: Trunk[] = campaign.trunks.map((t) => {
      const carrier = typeof this.o.carrier === 'function' ? this.o.carrier(t.name) : this.o.carrier;
      return {
        name: t.name,
        carrier,
        bucket: new TokenBucket(Math.min(t.cps, carrier.capabilities.cps)),
        max: Math.min(t.maxConcurrent, carrier.capabilities.maxConcurrent),
        active: 0,
      };
    });
    const botLines = this.o.agents
      ? undefined
      : (this.o.pacing?.lines ?? trunks.reduce((a, t) => a + t.max, 0));
    const tickMs = this.o.tickMs ?? 250;
    const idleMaxMs = this.o.idleMaxMs ?? 30_000;
    let idleMs = tickMs;
    let lastSample = Number.NEGATIVE_INFINITY;
    let lastGauge = Number.NEGATIVE_INFINITY;
    let status = stored.status;
    for (;;) {
      const now = this.clock.now();
      let sleepMs = tickMs;
      try {
        if (now - lastSync >= refreshMs) {
          await this.syncAbandonWindow(now - abandon.periodMs);
          lastSync = now;
        }
        status = (await store.getCampaign(campaignId))?.status ?? 'stopped';
        if (status === 'stopped' || this.stopping) {
          if (this.active.size === 0) break;
        } else if (status === 'running') {
          if (this.o.agents && now - lastSample >= 1000) {
            lastSample = now;
            const a = this.o.agents;
            this.pacer.sample(now, { agents: a.loggedIn(), ready: a.ready(), waiting: a.waiting() });
          }
          const want = this.o.agents
            ? this.pacer.linesToDial(this.o.agents.ready(), this.inFlight)
            : this.pacer.linesToDial(0, this.active.size, botLines);
          const open = trunks.filter((t) => t.active < t.max);
          const slots = open.filter((t) => t.bucket.waitMs(now) === 0);
          const n = Math.min(want, slots.length);
          const claims = n > 0 ? await store.claimDue(campaignId, now, n, this.leaseMs, this.o.workerId) : [];
          claims.forEach((claim, i) => {
            this.launch(claim, slots[i]!, campaign, now);
          });
          if (claims.length > 0) idleMs = tickMs;
          if (want > 0 && claims.length < n) {
            // Nothing more is due now: back off (a finished call wakes the loop).
            sleepMs = idleMs;
            idleMs = Math.min(idleMaxMs, idleMs * 2);
            if (this.o.exitWhenDone && this.active.size === 0) {
              const counts = await store.contactCounts(campaignId);
              this.gauges(campaignId, counts);
              if (counts.pending === 0 && counts.leased === 0) {
                await store.setCampaignStatus(campaignId, 'done');
                status = 'done';
                this.o.onEvent?.({ type: 'dialer.done', atMs: now });
                break;
              }
              this.o.onEvent?.({ type: 'dialer.idle', atMs: now });
            }
            if (this.o.exitWhenIdle && this.active.size === 0) break;
          } else if (want > 0 && open.length > 0) {
            const waits = open.map((t) => t.bucket.waitMs(now)).filter((w) => w > 0);
            if (waits.length > 0) sleepMs = Math.min(tickMs, ...waits);
          }
          if (now - lastGauge >= 5000) {
            lastGauge = now;
            const counts = await store.contactCounts(campaignId);
            this.gauges(campaignId, counts);
            // A transfer campaign whose agents are all busy dials nothing (want 0): done here.
            const idle = want === 0 && this.o.exitWhenDone && this.active.size === 0;
            if (idle && counts.pending === 0 && counts.leased === 0) {
              await store.setCampaignStatus(campaignId, 'done');
              status = 'done';
              this.o.onEvent?.({ type: 'dialer.done', atMs: now });
              break;
            }
          }
        } else if (status === 'done' && this.o.exitWhenDone && this.active.size === 0) {
          break;
        }
      } catch (err) {
        this.o.logger?.error({ err, campaignId }, 'dialer loop: store error, retrying');
        sleepMs = Math.min(idleMaxMs, Math.max(tickMs, 1000));
      }
      this.o.metrics?.campaignCallsActive.set({ campaign: campaignId }, this.active.size);
      this.o.metrics?.campaignDialLevel.set({ campaign: campaignId }, this.pacer.level);
      this.o.metrics?.campaignAbandonRate.set({ campaign: campaignId }, this.pacer.state().dropRate);
      if (this.wake.signal.aborted && !this.stopping) this.wake = new AbortController();
      await this.clock.sleep(sleepMs, this.stopping ? undefined : this.wake.signal);
    }
    await Promise.all(this.active);
    this.summary.finalStatus = status;
    return this.summary;
  }

  /**
   * Reads the abandon-rate window from the store: every process's results in the period, and
   * this worker's own recorded since it started (so its calls still in progress count once).
   * One after the other, own first: a result recorded in between is counted twice until the
   * next sync, never missed.
   */
  private async syncAbandonWindow(sinceMs: number): Promise<void> {
    const { store, campaignId, workerId } = this.o;
    const own = await store.abandonCounts(campaignId, this.startedAtMs, workerId);
    const window = await store.abandonCounts(campaignId, sinceMs);
    this.pacer.syncWindow(window, own);
    this.o.metrics?.campaignAbandonRate.set({ campaign: campaignId }, this.pacer.state().dropRate);
  }

  private get leaseMs(): number {
    return this.o.leaseMs ?? 60_000;
  }

  private gauges(campaignId: string, counts: Record<string, number>): void {
    for (const state of ['pending', 'leased', 'done'] as const) {
      this.o.metrics?.campaignContacts.set({ campaign: campaignId, state }, counts[state] ?? 0);
    }
  }

  private launch(
    claim: Parameters<typeof runAttempt>[0],
    trunk: Trunk,
    campaign: Campaign,
    now: number,
  ): void {
    trunk.bucket.tryTake(now);
    trunk.active++;
    this.inFlight++;
    this.summary.claimed++;
    const p = runAttempt(claim, {
      store: this.o.store,
      campaign,
      clock: this.clock,
      carrier: trunk.carrier,
      trunk: trunk.name,
      runCall: this.o.runCall,
      workerId: this.o.workerId,
      leaseMs: this.leaseMs,
      ringTimeoutMs: this.o.ringTimeoutMs ?? 30_000,
      pacer: this.pacer,
      agents: this.o.agents,
      metrics: this.o.metrics,
      logger: this.o.logger,
      onEvent: this.o.onEvent,
      signal: this.hardStop.signal,
      onSettled: () => {
        this.inFlight--;
      },
    })
      .then((r) => {
        this.summary.results[r.disposition] = (this.summary.results[r.disposition] ?? 0) + 1;
        if (r.recorded !== 'recorded') this.summary.refused++;
      })
      .catch((err) => {
        this.o.logger?.error(
          { err, attemptId: claim.attemptId },
          'result not recorded (the lease will expire)',
        );
      })
      .finally(() => {
        trunk.active--;
        this.active.delete(p);
        this.wake.abort();
      });
    this.active.add(p);
  }
}
