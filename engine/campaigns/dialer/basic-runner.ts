import type { CallLeg } from '../../../telephony/call-leg.ts';
import { runAmd } from '../../amd/run-amd.ts';
import type { CallContext, CallOutcome, RunCall } from './types.ts';

/**
 * The runner used until a campaign's dialog is wired to the call-session runtime: answering-
 * machine detection on the answered audio (unless amd.mode is off), then a machine ends as
 * 'machine' (amd.mode hangup) and a person stays on the line until they hang up or
 * `maxCallMs` passes ('answered'). It plays no prompts.
 */
export function basicRunner(options: { maxCallMs?: number } = {}): RunCall {
  const maxCallMs = options.maxCallMs ?? 60_000;
  return async (leg: CallLeg, ctx: CallContext): Promise<CallOutcome> => {
    let amd: string | null = null;
    if (ctx.campaign.amd.mode !== 'off') {
      const r = await runAmd(leg, { signal: ctx.signal });
      amd = r.result;
      if (r.result === 'MACHINE' && ctx.campaign.amd.mode === 'hangup') {
        return { disposition: 'machine', answers: { amd: r.result, amdReason: r.reason } };
      }
    }
    await new Promise<void>((resolve) => {
      if (!leg.active) return resolve();
      const timer = setTimeout(done, maxCallMs);
      function done() {
        clearTimeout(timer);
        leg.off('hangup', done);
        ctx.signal.removeEventListener('abort', done);
        resolve();
      }
      leg.once('hangup', done);
      ctx.signal.addEventListener('abort', done, { once: true });
    });
    return { disposition: 'answered', answers: amd ? { amd } : undefined };
  };
}
