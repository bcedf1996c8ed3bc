/**
 * One outbound INVITE until its final response, with CANCEL (RFC 3261 §9.1) for the three
 * reasons a caller gives up: the ring timeout, an abort signal (the dialer stopped, its lease
 * was lost, the call-progress analysis heard a SIT) and the user agent shutting down.
 *
 * CANCEL goes out only after a provisional response; a cancel wanted before one waits for it,
 * and if none ever comes Timer B ends the INVITE. After the CANCEL the UAS should answer the
 * INVITE with 487; if no final response arrives within 64*T1 the attempt is given up (§9.1).
 * A 2xx can still cross the CANCEL: the caller (uac.ts) sees `cancelled` and decides (ACK +
 * BYE when aborted).
 */
import type { Logger } from '../../engine/log/logger.ts';
import { parseCSeq } from './header-values.ts';
import { createRequest, type SipRequest, type SipResponse } from './message.ts';
import type { Endpoint } from './transactions.ts';
import type { SipUserAgent } from './user-agent.ts';

export type CancelReason = 'ring-timeout' | 'aborted' | 'shutdown';

export interface InviteOutcome {
  /** The final response, or null: Timer B, no final response after CANCEL, or shutdown. */
  response: SipResponse | null;
  /** Why the attempt was to be cancelled, if it was. */
  cancelled: CancelReason | null;
  /** Whether a CANCEL actually went out (a provisional response had come). */
  cancelSent: boolean;
}

export interface InviteOptions {
  ringTimeoutMs: number;
  signal?: AbortSignal;
  onProvisional: (response: SipResponse) => void;
  log: Logger;
}

function cancelFor(invite: SipRequest): SipRequest {
  return createRequest('CANCEL', invite.uri, [
    ['via', invite.headers.get('via')!],
    ['max-forwards', '70'],
    ['from', invite.headers.get('from')!],
    ['to', invite.headers.get('to')!],
    ['call-id', invite.headers.get('call-id')!],
    ['cseq', `${parseCSeq(invite.headers.get('cseq')!).seq} CANCEL`],
    ...invite.headers.getAll('route').map((r): [string, string] => ['route', r]),
  ]);
}

export function sendInvite(
  ua: SipUserAgent,
  invite: SipRequest,
  target: Endpoint,
  options: InviteOptions,
): Promise<InviteOutcome> {
  return new Promise<InviteOutcome>((resolve) => {
    let provisional = false;
    let cancelled: CancelReason | null = null;
    let cancelSent = false;
    let done = false;
    const timers: NodeJS.Timeout[] = [];

    const finish = (response: SipResponse | null) => {
      if (done) return;
      done = true;
      for (const t of timers) clearTimeout(t);
      options.signal?.removeEventListener('abort', onAbort);
      ua.pendingInvites.delete(onShutdown);
      resolve({ response, cancelled, cancelSent });
    };
    const sendCancel = () => {
      cancelSent = true;
      options.log.info({ reason: cancelled }, 'CANCEL');
      ua.txns.sendRequest(cancelFor(invite), target, { onResponse: () => {}, onTimeout: () => {} });
      // §9.1: no final response 64*T1 after the CANCEL -> consider the INVITE cancelled.
      timers.push(
        setTimeout(() => {
          options.log.warn('no final response after CANCEL: giving up');
          txn.terminate();
          finish(null);
        }, 64 * ua.timers.t1Ms),
      );
    };
    const wantCancel = (reason: CancelReason) => {
      if (done || cancelled) return;
      cancelled = reason;
      if (provisional) sendCancel();
      else options.log.info({ reason }, 'cancel wanted: waiting for a provisional response first');
    };
    const onAbort = () => wantCancel('aborted');
    const onShutdown = () => {
      wantCancel('shutdown');
      txn.terminate();
      finish(null);
    };

    timers.push(setTimeout(() => wantCancel('ring-timeout'), options.ringTimeoutMs));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    ua.pendingInvites.add(onShutdown);
    const txn = ua.txns.sendRequest(invite, target, {
      onResponse: (res) => {
        if (done) return;
        if (res.status >= 200) {
          finish(res);
          return;
        }
        if (!provisional && cancelled) sendCancel();
        provisional = true;
        options.onProvisional(res);
      },
      onTimeout: () => finish(null),
    });
    if (options.signal?.aborted) onAbort();
  });
}
