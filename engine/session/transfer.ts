/**
 * The dialog's `transfer` command: the command's target, or an agent from the session's agent
 * source (inbound: the registry, a free agent of the call's language now; campaign calls: the
 * dialer's pool, which may wait the campaign's transfer wait). Then, once the bot's last words
 * have played, leg.transfer() to the agent's target. Nobody in time -> transfer.done
 * {ok:false, reason:'no-agent'} and a callback request in the call record (the dialog tells the
 * caller). The agent is marked on the call when the transfer succeeds and released otherwise.
 */
import type { Language } from '../../asr-tts/asr.ts';
import type { DialogEvent, TransferCommand } from '../../dialogs/contract.ts';
import type { CallLeg } from '../../telephony/call-leg.ts';
import type { AgentLease, AgentSource } from '../agents/source.ts';
import type { CallRecorder } from '../calls/call-record.ts';
import { isVoicebotError } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import type { Metrics } from '../metrics/metrics.ts';

export interface TransferDeps {
  leg: CallLeg;
  agents: AgentSource;
  language: Language;
  recorder: CallRecorder;
  metrics: Metrics;
  log: Logger;
  beforeTransfer: () => Promise<void>;
  toDialog: (event: DialogEvent) => void;
  /**
   * Takes the function that settles the transfer as a success, for when the leg ends with
   * reason 'transfer' (the platform took the call) before leg.transfer() has resolved.
   */
  onHandover: (succeed: (detail?: string) => void) => void;
}

/** An agent for the call; the wait ends early when the caller hangs up. */
async function agentFor(deps: TransferDeps): Promise<AgentLease | null> {
  const { leg } = deps;
  const gone = new AbortController();
  const onHangup = () => gone.abort();
  leg.once('hangup', onHangup);
  if (!leg.active) gone.abort();
  try {
    return await deps.agents.acquire({
      callId: leg.info.callId,
      language: deps.language,
      signal: gone.signal,
    });
  } finally {
    leg.off('hangup', onHangup);
  }
}

function noAgent(cmd: TransferCommand, deps: TransferDeps, waitedMs: number): void {
  const { leg, recorder } = deps;
  deps.metrics.sessionTransfers.inc({ result: 'no-agent' });
  recorder.record.transfer = { ok: false, reason: 'no-agent' };
  recorder.record.callback = {
    requested: true,
    reason: 'no-agent',
    ...(leg.info.from ? { number: leg.info.from } : {}),
  };
  recorder.event('callback.requested', { reason: 'no-agent', waitedMs });
  deps.log.info({ reason: cmd.reason, waitedMs }, 'transfer: no agent in time, callback recorded');
  deps.toDialog({ type: 'transfer.done', ok: false, reason: 'no-agent' });
}

export async function runTransfer(cmd: TransferCommand, deps: TransferDeps): Promise<void> {
  const { leg, recorder, metrics, log } = deps;
  recorder.event('transfer.requested', { reason: cmd.reason });
  const askedAt = performance.now();
  const agent = cmd.target ? null : await agentFor(deps);
  const waitedMs = Math.round(performance.now() - askedAt);
  const target = cmd.target ?? agent?.target;
  if (!target) return noAgent(cmd, deps, waitedMs);
  const agentId = agent ? { agentId: agent.agentId } : {};
  if (agent) recorder.event('transfer.agent', { ...agentId, waitedMs });
  await deps.beforeTransfer();
  if (!leg.active) {
    agent?.release();
    return;
  }
  let settled = false;
  const succeed = (detail?: string): void => {
    if (settled) return;
    settled = true;
    agent?.engaged();
    metrics.sessionTransfers.inc({ result: 'ok' });
    recorder.record.transfer = { ok: true, target, ...agentId, ...(detail ? { detail } : {}) };
    recorder.event('transfer.done', { ok: true });
    log.info({ ok: true, ...agentId, pii: { target } }, 'transfer');
    deps.toDialog({ type: 'transfer.done', ok: true, ...(detail ? { detail } : {}) });
  };
  const fail = (reason: 'failed' | 'unsupported', detail?: string): void => {
    if (settled) return;
    settled = true;
    agent?.release();
    metrics.sessionTransfers.inc({ result: reason });
    recorder.record.transfer = { ok: false, target, ...agentId, reason, ...(detail ? { detail } : {}) };
    recorder.event('transfer.done', { ok: false, ...(detail ? { detail } : {}) });
    log.warn({ reason, detail, ...agentId }, 'transfer failed');
    deps.toDialog({ type: 'transfer.done', ok: false, reason, ...(detail ? { detail } : {}) });
  };
  // The platform may end the leg (reason 'transfer') before leg.transfer() resolves.
  deps.onHandover(succeed);
  try {
    const result = await leg.transfer({ target, reason: cmd.reason, summary: cmd.summary });
    if (result.ok) succeed(result.detail);
    else fail('failed', result.detail);
  } catch (err) {
    const code = isVoicebotError(err) ? err.code : 'INTERNAL';
    fail(code === 'TRANSFER_UNSUPPORTED' ? 'unsupported' : 'failed', code);
  }
}

/**
 * The session's transfers: runs each `transfer` command, and settles the one in flight as a
 * success when the leg ends with reason 'transfer' (the platform took the call), so the dialog
 * hears transfer.done before call.hangup.
 */
export class SessionTransfers {
  private handover: ((detail?: string) => void) | null = null;

  constructor(private readonly deps: Omit<TransferDeps, 'onHandover'>) {}

  run(cmd: TransferCommand): void {
    void runTransfer(cmd, {
      ...this.deps,
      onHandover: (succeed) => {
        this.handover = succeed;
      },
    });
  }

  /** The leg ended with reason 'transfer'. */
  handedOver(detail?: string): void {
    this.handover?.(detail);
  }
}
