/**
 * The dialog's `transfer` command: pick the command's target or a free agent from the registry
 * (by the call's language), wait until the bot's last words have played, then leg.transfer().
 * Nobody free -> transfer.done {ok:false, reason:'no-agent'} and a callback request in the call
 * record (the dialog tells the caller and offers the callback). The agent is released when the
 * transfer fails and marked engaged when it succeeds.
 */
import type { Language } from '../../asr-tts/asr.ts';
import type { DialogEvent, TransferCommand } from '../../dialogs/contract.ts';
import type { CallLeg } from '../../telephony/call-leg.ts';
import type { AgentRegistry } from '../agents/registry.ts';
import type { CallRecorder } from '../calls/call-record.ts';
import { isVoicebotError } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import type { Metrics } from '../metrics/metrics.ts';

export interface TransferDeps {
  leg: CallLeg;
  agents: AgentRegistry;
  language: Language;
  recorder: CallRecorder;
  metrics: Metrics;
  log: Logger;
  beforeTransfer: () => Promise<void>;
  toDialog: (event: DialogEvent) => void;
}

export async function runTransfer(cmd: TransferCommand, deps: TransferDeps): Promise<void> {
  const { leg, agents, recorder, metrics, log } = deps;
  const callId = leg.info.callId;
  const agent = cmd.target ? null : agents.reserve(callId, deps.language);
  const target = cmd.target ?? agent?.target;
  recorder.event('transfer.requested', { reason: cmd.reason, ...(agent ? { agentId: agent.id } : {}) });
  if (!target) {
    metrics.sessionTransfers.inc({ result: 'no-agent' });
    recorder.record.transfer = { ok: false, reason: 'no-agent' };
    recorder.record.callback = {
      requested: true,
      reason: 'no-agent',
      ...(leg.info.from ? { number: leg.info.from } : {}),
    };
    recorder.event('callback.requested', { reason: 'no-agent' });
    log.info({ reason: cmd.reason }, 'transfer: no agent free, callback recorded');
    deps.toDialog({ type: 'transfer.done', ok: false, reason: 'no-agent' });
    return;
  }
  await deps.beforeTransfer();
  if (!leg.active) {
    if (agent) agents.release(agent.id);
    return;
  }
  try {
    const result = await leg.transfer({ target, reason: cmd.reason, summary: cmd.summary });
    if (agent) result.ok ? agents.engaged(agent.id) : agents.release(agent.id);
    metrics.sessionTransfers.inc({ result: result.ok ? 'ok' : 'failed' });
    recorder.record.transfer = {
      ok: result.ok,
      target,
      ...(agent ? { agentId: agent.id } : {}),
      ...(result.detail ? { detail: result.detail } : {}),
    };
    recorder.event('transfer.done', { ok: result.ok });
    log.info({ ok: result.ok, agentId: agent?.id, pii: { target } }, 'transfer');
    deps.toDialog({
      type: 'transfer.done',
      ok: result.ok,
      ...(result.ok ? {} : { reason: 'failed' as const }),
      ...(result.detail ? { detail: result.detail } : {}),
    });
  } catch (err) {
    if (agent) agents.release(agent.id);
    const code = isVoicebotError(err) ? err.code : 'INTERNAL';
    const reason = code === 'TRANSFER_UNSUPPORTED' ? ('unsupported' as const) : ('failed' as const);
    metrics.sessionTransfers.inc({ result: reason });
    recorder.record.transfer = { ok: false, target, reason, detail: code };
    recorder.event('transfer.done', { ok: false, code });
    log.warn({ code }, 'transfer failed');
    deps.toDialog({ type: 'transfer.done', ok: false, reason, detail: code });
  }
}
