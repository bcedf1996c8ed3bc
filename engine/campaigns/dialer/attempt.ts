import type { Carrier, OriginateResult } from '../../../telephony/carriers/carrier.ts';
import { isVoicebotError } from '../../errors.ts';
import type { Logger } from '../../log/logger.ts';
import type { Metrics } from '../../metrics/metrics.ts';
import type { Campaign, Disposition } from '../model.ts';
import type { CampaignStore, Claim, RecordOutcome } from '../store/types.ts';
import type { AgentLease, AgentPool } from './agent-pool.ts';
import type { DialerClock } from './clock.ts';
import type { Pacer } from './pacer.ts';
import { loadHistory, nextAttemptAt, preDialDecision } from './schedule-next.ts';
import type { CallOutcome, DialerEvent, RunCall } from './types.ts';

export interface AttemptDeps {
  store: CampaignStore;
  campaign: Campaign;
  clock: DialerClock;
  carrier: Carrier;
  trunk: string;
  runCall: RunCall;
  workerId: string;
  leaseMs: number;
  ringTimeoutMs: number;
  pacer: Pacer;
  agents?: AgentPool;
  metrics?: Metrics;
  logger?: Logger;
  onEvent?: (e: DialerEvent) => void;
  /** Aborted when the dialer must give up its calls at once. */
  signal: AbortSignal;
  /** The call no longer waits for an agent (connected, or ended). Called once. */
  onSettled: () => void;
}

export interface AttemptReport {
  disposition: Disposition;
  recorded: RecordOutcome['status'];
}

function unansweredData(r: OriginateResult): Record<string, unknown> {
  return r.status === 'unanswered'
    ? { code: r.code, ringMs: r.ringMs, providerCallId: r.providerCallId ?? null }
    : { ringMs: r.ringMs, providerCallId: r.providerCallId };
}

/**
 * One claimed attempt end to end: keep the lease alive, check again right before dialing
 * (campaign still running, DNC read fresh, window, limits), originate, run the dialog on an
 * answered leg, and record exactly one result with the next due time.
 */
export async function runAttempt(claim: Claim, d: AttemptDeps): Promise<AttemptReport> {
  const { store, campaign, clock, contact } = { ...d, contact: claim.contact };
  const startedAtMs = clock.now();
  const callAbort = new AbortController();
  const onOuterAbort = () => callAbort.abort();
  d.signal.addEventListener('abort', onOuterAbort, { once: true });
  const keeperStop = new AbortController();
  let leaseLost = false;
  const keeper = (async () => {
    while (!keeperStop.signal.aborted) {
      await clock.sleep(Math.max(1, Math.floor(d.leaseMs / 3)), keeperStop.signal);
      if (keeperStop.signal.aborted) return;
      const ok = await store
        .extendLease(claim.attemptId, d.workerId, clock.now() + d.leaseMs)
        .catch(() => true); // a store hiccup: try again next round; the lease has slack
      if (!ok) {
        leaseLost = true;
        d.logger?.warn({ attemptId: claim.attemptId }, 'lease lost: the contact was reclaimed');
        callAbort.abort();
        return;
      }
    }
  })();
  let settled = false;
  const settle = () => {
    if (!settled) {
      settled = true;
      d.onSettled();
    }
  };
  let outcome: CallOutcome;
  let data: Record<string, unknown> = { trunk: d.trunk, workerId: d.workerId };
  const agents: AgentLease[] = [];
  /** Live answer and drop, each counted once for the pacer and kept in the result. */
  const counted = { live: false, drop: false };
  try {
    const current = await store.getCampaign(campaign.id);
    const h = await loadHistory(store, campaign, contact, clock.now());
    const decision = preDialDecision(campaign, contact, h, claim.attemptId, clock.now());
    if (current?.status !== 'running') {
      outcome = { disposition: 'not-dialed' };
      data.reason = `campaign ${current?.status ?? 'missing'}`;
    } else if (!decision.ok) {
      outcome = { disposition: 'not-dialed' };
      data.reason = decision.reason;
    } else {
      d.onEvent?.({
        type: 'call.dialing',
        attemptId: claim.attemptId,
        contactId: contact.id,
        trunk: d.trunk,
        atMs: clock.now(),
      });
      outcome = await dial(
        claim,
        d,
        callAbort.signal,
        (extra) => {
          data = { ...data, ...extra };
        },
        (a) => agents.push(a),
        settle,
        counted,
      );
    }
  } catch (err) {
    outcome = { disposition: 'failed' };
    data.error = isVoicebotError(err) ? err.code : 'INTERNAL';
    d.logger?.error({ err, attemptId: claim.attemptId }, 'call attempt failed');
  } finally {
    settle();
  }
  // A lease never engaged (the transfer failed or was not made) frees its agent; no-op otherwise.
  for (const a of agents) a.release();
  keeperStop.abort();
  await keeper;
  d.signal.removeEventListener('abort', onOuterAbort);
  const endedAtMs = clock.now();
  const h = await loadHistory(store, campaign, contact, endedAtMs);
  const next = nextAttemptAt(
    campaign,
    contact,
    h,
    { id: claim.attemptId, startedAtMs, disposition: outcome.disposition },
    endedAtMs,
  );
  const result = await store.recordResult(claim.attemptId, {
    disposition: outcome.disposition,
    endedAtMs,
    nextAttemptAtMs: next,
    countsAsAttempt: campaign.retry[outcome.disposition].countsAsAttempt,
    data: {
      ...data,
      answers: outcome.answers ?? null,
      transcriptRef: outcome.transcriptRef ?? null,
      recordingPath: outcome.recordingPath ?? null,
      leaseLost,
      // The store counts live answers from this (isLiveAnswer); unflagged results it judges itself.
      ...(counted.live ? { liveAnswer: true } : {}),
    },
  });
  d.metrics?.campaignCalls.inc({ campaign: campaign.id, disposition: outcome.disposition });
  d.onEvent?.({
    type: 'call.result',
    attemptId: claim.attemptId,
    contactId: contact.id,
    disposition: outcome.disposition,
    recorded: result.status,
    nextAttemptAtMs: next,
    atMs: endedAtMs,
  });
  return { disposition: outcome.disposition, recorded: result.status };
}

async function dial(
  claim: Claim,
  d: AttemptDeps,
  signal: AbortSignal,
  note: (extra: Record<string, unknown>) => void,
  keepAgent: (a: AgentLease) => void,
  settle: () => void,
  counted: { live: boolean; drop: boolean },
): Promise<CallOutcome> {
  const { campaign, contact } = { campaign: d.campaign, contact: claim.contact };
  const res = await d.carrier.originate({
    campaignId: campaign.id,
    attemptId: claim.attemptId,
    to: contact.e164,
    from: campaign.callerId,
    ringTimeoutMs: d.ringTimeoutMs,
    amd: { mode: campaign.amd.mode === 'off' ? 'off' : 'engine' },
    parameters: { ...contact.variables, scriptId: campaign.scriptId, attemptId: claim.attemptId },
    signal,
  });
  note(unansweredData(res));
  if (res.status === 'unanswered') return { disposition: res.disposition };
  const leg = res.leg;
  try {
    return await d.runCall(leg, {
      campaign,
      contact,
      attemptId: claim.attemptId,
      attemptNo: claim.attemptNo,
      signal,
      liveAnswer: () => {
        if (counted.live) return;
        counted.live = true;
        d.pacer.recordHuman();
      },
      requestAgent: async (request = {}) => {
        if (!d.agents) {
          d.logger?.warn(
            { attemptId: claim.attemptId, code: 'CAMPAIGN_INVALID' },
            'the script asked for an agent but the campaign has no transfer queue: set transfer.queue',
          );
        }
        const agent = await d.agents?.acquire({
          maxWaitMs: campaign.transfer?.maxWaitMs ?? 2000,
          callId: request.callId ?? claim.attemptId,
          ...(request.language ? { language: request.language } : {}),
          signal: request.signal ? AbortSignal.any([signal, request.signal]) : signal,
        });
        settle();
        if (agent) keepAgent(agent);
        else if (!counted.drop) {
          counted.drop = true;
          d.pacer.recordDrop();
        }
        return agent ?? null;
      },
      optOut: async (reason) => {
        await d.store.addDnc(
          [{ e164: contact.e164, source: `campaign:${campaign.id}`, reason }],
          d.clock.now(),
        );
      },
    });
  } finally {
    if (leg.active) leg.hangup('dialer: call finished');
  }
}
