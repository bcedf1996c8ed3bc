/**
 * The `sip` carrier: originate() is an INVITE through the SIP edge's UAC (telephony/sip/uac.ts)
 * to a trunk or a peer; final responses map to dispositions with the dialer table
 * (telephony/sip/disposition.ts: 486/600 busy, 480/408/487 no-answer, 404/604/485/484/410
 * invalid, 603/403 declined, 5xx congestion), 183 with SDP is reported as early media, and the
 * answered call's leg comes straight from the UAC.
 */

import { VoicebotError } from '../../../engine/errors.ts';
import type { Logger } from '../../../engine/log/logger.ts';
import type { SipUserAgent } from '../../sip/user-agent.ts';
import type {
  Carrier,
  CarrierCapabilities,
  OriginateRequest,
  OriginateResult,
  UnansweredDisposition,
} from '../carrier.ts';
import type { OutboundRegistry } from '../outbound-registry.ts';
import { validateOriginate } from '../validate.ts';

export interface SipCarrierOptions {
  ua: SipUserAgent;
  /** Request-URI for a number: `sip:{to}@trunk.example:5060`-style template or a function. */
  target: string | ((e164: string) => string);
  /**
   * The engine's registry, when the UA runs the engine's (wrapped) call handler: the answered
   * leg is then claimed for this attempt instead of starting the inbound handler on it.
   */
  registry?: OutboundRegistry;
  cps?: number;
  maxConcurrent?: number;
  log?: Logger;
}

export class SipCarrier implements Carrier {
  readonly name = 'sip';
  readonly capabilities: CarrierCapabilities;
  private closed = false;

  constructor(private readonly opts: SipCarrierOptions) {
    this.capabilities = { cps: opts.cps ?? 10, maxConcurrent: opts.maxConcurrent ?? 100, providerAmd: false };
  }

  private uriFor(to: string): string {
    const t = this.opts.target;
    return typeof t === 'function' ? t(to) : t.replaceAll('{to}', to);
  }

  async originate(request: OriginateRequest): Promise<OriginateResult> {
    if (this.closed) throw new VoicebotError('CARRIER_CLOSED', 'originate() after close()');
    validateOriginate(request);
    const started = performance.now();
    const ringMs = () => Math.round(performance.now() - started);
    if (request.signal?.aborted)
      return { status: 'unanswered', disposition: 'no-answer', code: 'canceled', ringMs: 0 };
    const claim = this.opts.registry?.expect(request.attemptId, request.ringTimeoutMs + 35_000);
    claim?.catch(() => {});
    let earlyMedia = false;
    const result = await this.opts.ua.call({
      to: this.uriFor(request.to),
      from: `sip:${request.from}@${this.opts.ua.endpoint.address}`,
      ringTimeoutMs: request.ringTimeoutMs,
      parameters: {
        ...request.parameters,
        direction: 'outbound',
        attemptId: request.attemptId,
        campaignId: request.campaignId,
      },
      onProgress: (_status, early) => {
        if (early) earlyMedia = true;
      },
    });
    if (result.disposition === 'answered' && result.leg) {
      const leg = result.leg;
      if (request.signal?.aborted || this.closed) {
        // The UAC has no CANCEL hook for us: an answer that comes after the abort is hung up.
        leg.hangup('cancelled');
        this.opts.registry?.cancel(request.attemptId);
        return { status: 'unanswered', disposition: 'no-answer', code: 'canceled', ringMs: ringMs() };
      }
      return {
        status: 'answered',
        leg,
        providerCallId: leg.info.providerCallId ?? leg.info.callId,
        ringMs: ringMs(),
        early: { answeredAtMs: 0, earlyMedia: earlyMedia || result.earlyMedia },
      };
    }
    this.opts.registry?.cancel(request.attemptId, `sip ${result.status}`);
    const disposition = (
      result.disposition === 'answered' ? 'failed' : result.disposition
    ) as UnansweredDisposition;
    return {
      status: 'unanswered',
      disposition,
      code: result.status ? `sip:${result.status}` : 'sip:timeout',
      detail: result.reason,
      ringMs: ringMs(),
    };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
