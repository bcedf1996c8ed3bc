/**
 * createSessionHandler: the CallHandler that runs dialog sessions. `dialogFor(callInfo)` picks
 * the dialog (see router.ts); a call no dialog claims goes to `fallback` (the walking skeleton
 * in `voicebot serve`) or is hung up. A failing session is logged and hung up; it never takes
 * other calls down.
 */
import type { CallHandler, CallInfo } from '../../telephony/call-leg.ts';
import { type CallSession, type DialogSpec, CallSession as Session, type SessionDeps } from './session.ts';

export interface SessionHandlerOptions extends SessionDeps {
  dialogFor(info: CallInfo): DialogSpec | null | undefined;
  fallback?: CallHandler;
  /** Sees every session as it starts (tests, admin views). */
  onSession?: (session: CallSession) => void;
}

export function createSessionHandler(options: SessionHandlerOptions): CallHandler {
  const { dialogFor, fallback, onSession, ...deps } = options;
  return async (leg) => {
    let spec: DialogSpec | null | undefined;
    try {
      spec = dialogFor(leg.info);
    } catch (err) {
      deps.log.error({ err, callId: leg.info.callId }, 'no dialog could be made for the call');
      leg.hangup('no-dialog');
      return;
    }
    if (!spec) {
      if (fallback) return fallback(leg);
      deps.log.warn({ callId: leg.info.callId, pii: { to: leg.info.to } }, 'no route for the call');
      leg.hangup('no-route');
      return;
    }
    const session = new Session(leg, spec, deps);
    onSession?.(session);
    try {
      await session.run();
    } catch (err) {
      deps.log.error({ err, callId: leg.info.callId }, 'session failed');
      if (leg.active) leg.hangup('error');
    }
  };
}
