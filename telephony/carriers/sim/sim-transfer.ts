/**
 * Transfers on the sim carrier, which plays the platform for its raw-protocol calls: when the
 * bot asks for a transfer (`{"type":"transfer","data":{target,...}}`), the carrier routes the
 * callee to the target if it can reach it (sip:/sips: URIs, tel:+digits, client:name,
 * queue:name, as Twilio's <Dial> does) and answers `transferred` ok, or refuses with the
 * reason. Every transfer is kept, so tests and the demo see where each callee went.
 */
import type { SimCaller, SimEvent } from '../../../fixtures/sim-caller/sim-caller.ts';
import { rawWire } from '../../../fixtures/sim-caller/wire.ts';

export interface SimTransfer {
  attemptId: string;
  providerCallId: string;
  /** Where the bot sent the callee (an agent's target). */
  target: string;
  reason: string;
  /** The bot's summary for the agent (personal data). */
  summary: string;
  /** When the bot asked, ms since the callee's media connected. */
  atMs: number;
  /** Routed (the callee is now with the target) or refused. */
  ok: boolean;
  detail?: string;
}

const ROUTABLE = /^(sips?:[^@\s]+@[^@\s]+|tel:\+?[0-9]{3,15}|client:[A-Za-z0-9_.-]+|queue:[A-Za-z0-9_.-]+)$/;

/** Whether the sim's switch can reach `target`. */
export function simRoutable(target: string): boolean {
  return ROUTABLE.test(target);
}

/** Answers the bot's transfer requests on `caller` itself; calls `onTransfer` with each. */
export function routeTransfers(
  caller: SimCaller,
  call: { attemptId: string; providerCallId: string },
  onTransfer: (t: SimTransfer) => void,
): void {
  caller.on('event', (e: SimEvent) => {
    if (e.type !== 'bot.transfer') return;
    const data = (e.data ?? {}) as Record<string, unknown>;
    const text = (k: string) => (typeof data[k] === 'string' ? (data[k] as string) : '');
    const target = text('target');
    const ok = simRoutable(target);
    const t: SimTransfer = {
      ...call,
      target,
      reason: text('reason'),
      summary: text('summary'),
      atMs: e.atMs,
      ok,
      ...(ok
        ? {}
        : {
            detail: `the sim carrier cannot route ${JSON.stringify(target)}: use sip:user@host, tel:+digits, client:name or queue:name`,
          }),
    };
    caller.sendRaw(rawWire.transferred(ok, t.detail));
    onTransfer(t);
  });
}
