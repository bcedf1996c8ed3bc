/**
 * The `sip` carrier: originate() is an INVITE through the SIP edge's UAC (telephony/sip/uac.ts)
 * to a trunk or a peer; final responses map to dispositions with the dialer table
 * (telephony/sip/disposition.ts: 486/600 busy, 480/408/487 no-answer, 404/604/485/484/410
 * invalid, 603/403 declined, 5xx congestion), and the answered call's leg comes straight from
 * the UAC.
 *
 * Early media (183 with SDP) is call progress, not the callee: it is listened to for special
 * information tones (engine/amd/sit-detector.ts), and a SIT ends the attempt at once (CANCEL)
 * with the tone's disposition (intercept / vacant code -> invalid, no circuit / reorder ->
 * congestion, others -> failed) and code `sit:<IC|VC|NC|RO|IO|SIT>`. AMD starts at the answer.
 * The request's abort signal and close() CANCEL ringing calls (-> no-answer, `canceled` /
 * `closed`); a 2xx that crosses the CANCEL is ACKed and hung up (BYE) by the UAC.
 */

import { SitDetector, type SitEvent, type SitOptions } from '../../../engine/amd/sit-detector.ts';
import { VoicebotError } from '../../../engine/errors.ts';
import type { Logger } from '../../../engine/log/logger.ts';
import type { OutboundCallResult } from '../../sip/uac.ts';
import type { SipUserAgent } from '../../sip/user-agent.ts';
import type {
  Carrier,
  CarrierCapabilities,
  OriginateRequest,
  OriginateResult,
  UnansweredDisposition,
  UnansweredResult,
} from '../carrier.ts';
import type { OutboundRegistry } from '../outbound-registry.ts';
import { validateOriginate } from '../validate.ts';

/** Why we gave a ringing call up ourselves. */
type StopReason = 'canceled' | 'closed' | 'sit';

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
  /** SIT detection on early media: detector options, or false to turn it off. */
  sit?: Partial<SitOptions> | false;
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

  /** Ringing calls: close() stops them. */
  private readonly ringing = new Set<AbortController>();

  async originate(request: OriginateRequest): Promise<OriginateResult> {
    if (this.closed) throw new VoicebotError('CARRIER_CLOSED', 'originate() after close()');
    validateOriginate(request);
    const started = performance.now();
    const ringMs = () => Math.round(performance.now() - started);
    if (request.signal?.aborted)
      return { status: 'unanswered', disposition: 'no-answer', code: 'canceled', ringMs: 0 };
    const claim = this.opts.registry?.expect(request.attemptId, request.ringTimeoutMs + 35_000);
    claim?.catch(() => {});
    const stop = new AbortController();
    const onAbort = () => stop.abort('canceled' satisfies StopReason);
    request.signal?.addEventListener('abort', onAbort, { once: true });
    this.ringing.add(stop);
    const detector = this.opts.sit === false ? null : new SitDetector(this.opts.sit ?? {});
    let sit: SitEvent | null = null;
    let earlyMedia = false;
    let result: OutboundCallResult;
    try {
      result = await this.opts.ua.call({
        to: this.uriFor(request.to),
        from: `sip:${request.from}@${this.opts.ua.endpoint.address}`,
        ringTimeoutMs: request.ringTimeoutMs,
        signal: stop.signal,
        parameters: {
          ...request.parameters,
          direction: 'outbound',
          attemptId: request.attemptId,
          campaignId: request.campaignId,
        },
        onProgress: (_status, early) => {
          if (early) earlyMedia = true;
        },
        ...(detector
          ? {
              onEarlyAudio: (frame) => {
                if (sit) return;
                sit = detector.push(frame);
                if (!sit) return;
                this.opts.log?.info(
                  { attemptId: request.attemptId, sit: sit.code, atMs: sit.endMs },
                  'special information tone in early media: cancelling',
                );
                stop.abort('sit' satisfies StopReason);
              },
            }
          : {}),
      });
    } finally {
      request.signal?.removeEventListener('abort', onAbort);
      this.ringing.delete(stop);
    }
    const stopped = stop.signal.aborted ? (stop.signal.reason as StopReason) : null;
    if (result.disposition === 'answered' && result.leg) {
      const leg = result.leg;
      if (stopped) {
        // Answered just as we gave up (after the UAC had taken the 200): hang up at once.
        leg.hangup('cancelled');
        this.opts.registry?.cancel(request.attemptId);
        return { status: 'unanswered', disposition: 'no-answer', code: stopped, ringMs: ringMs() };
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
    return { ...this.unanswered(result, stopped, sit), ringMs: ringMs() };
  }

  /** The disposition of a call that was not answered, or that we gave up. */
  private unanswered(
    result: OutboundCallResult,
    stopped: StopReason | null,
    sit: SitEvent | null,
  ): Omit<UnansweredResult, 'ringMs'> {
    const sipDetail = result.status ? `sip ${result.status} ${result.reason}` : result.reason;
    // A real final answer (busy, not found...) that came before our CANCEL took effect wins.
    const rejected = result.status >= 300 && result.status !== 487;
    if (result.cancelled === 'shutdown')
      return { status: 'unanswered', disposition: 'no-answer', code: 'closed', detail: sipDetail };
    if (stopped && !rejected) {
      if (stopped === 'sit' && sit) {
        return {
          status: 'unanswered',
          disposition: sit.disposition,
          code: `sit:${sit.code}`,
          detail: `${sit.meaning} (SIT in early media at ${sit.endMs} ms); ${sipDetail}`,
        };
      }
      return { status: 'unanswered', disposition: 'no-answer', code: stopped, detail: sipDetail };
    }
    const disposition = (
      result.disposition === 'answered' ? 'failed' : result.disposition
    ) as UnansweredDisposition;
    return {
      status: 'unanswered',
      disposition,
      code: result.status ? `sip:${result.status}` : 'sip:timeout',
      detail: result.reason,
    };
  }

  /** Cancels ringing calls (-> no-answer, code `closed`); an answered call is not touched. */
  async close(): Promise<void> {
    this.closed = true;
    for (const stop of this.ringing) stop.abort('closed' satisfies StopReason);
  }
}
