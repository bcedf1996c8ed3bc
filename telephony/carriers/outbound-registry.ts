/**
 * Matches the media of a call the engine placed to the originate() that placed it. A carrier
 * `expect`s an attempt id; when a leg arrives on the gateway (or the SIP edge) with
 * `direction: outbound` and that `attemptId` parameter, the wrapped call handler hands it to
 * the waiting carrier instead of the inbound handler. Start the engine with
 * `handler: registry.wrap(inboundHandler)`.
 */
import { VoicebotError } from '../../engine/errors.ts';
import type { CallHandler, CallLeg } from '../call-leg.ts';

interface Waiter {
  resolve: (leg: CallLeg) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class OutboundRegistry {
  private readonly waiting = new Map<string, Waiter>();

  /** Resolves with the leg carrying `attemptId`; rejects with CARRIER_NO_MEDIA after `timeoutMs`. */
  expect(attemptId: string, timeoutMs: number): Promise<CallLeg> {
    if (this.waiting.has(attemptId)) {
      return Promise.reject(
        new VoicebotError('CARRIER_BAD_REQUEST', 'attemptId is already being originated', { attemptId }),
      );
    }
    return new Promise<CallLeg>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(attemptId);
        reject(
          new VoicebotError(
            'CARRIER_NO_MEDIA',
            `no media stream for the answered call within ${timeoutMs} ms`,
            {
              attemptId,
            },
          ),
        );
      }, timeoutMs);
      this.waiting.set(attemptId, { resolve, reject, timer });
    });
  }

  /** Stops waiting (the call failed or was cancelled); a leg arriving later goes to the handler. */
  cancel(attemptId: string, reason = 'cancelled'): void {
    const w = this.waiting.get(attemptId);
    if (!w) return;
    this.waiting.delete(attemptId);
    clearTimeout(w.timer);
    w.reject(new VoicebotError('CARRIER_NO_MEDIA', `stopped waiting for the media stream: ${reason}`));
  }

  pendingCount(): number {
    return this.waiting.size;
  }

  /** The engine's call handler: outbound legs someone waits for go to them, the rest to `inbound`. */
  wrap(inbound: CallHandler): CallHandler {
    return (leg) => {
      const id = leg.info.direction === 'outbound' ? leg.info.parameters.attemptId : undefined;
      const w = id === undefined ? undefined : this.waiting.get(id);
      if (!w || id === undefined) return inbound(leg);
      this.waiting.delete(id);
      clearTimeout(w.timer);
      w.resolve(leg);
    };
  }
}
