/**
 * The `twilio` carrier: creates calls with Twilio's REST shape
 * (POST /2010-04-01/Accounts/{AccountSid}/Calls.json, HTTP Basic, form fields To, From, Twiml
 * `<Connect><Stream url>` with the attempt id as a `<Parameter>`, StatusCallback +
 * StatusCallbackEvent, Timeout, optional MachineDetection). The answered call's Media Stream
 * arrives on the engine's /twilio endpoint and is matched to the attempt by OutboundRegistry;
 * calls that end without media are decided by the signed status callbacks (statusRoute()).
 */
import { VoicebotError } from '../../../engine/errors.ts';
import type { RouteHandler } from '../../../engine/http/server.ts';
import type { Logger } from '../../../engine/log/logger.ts';
import type { CallLeg } from '../../call-leg.ts';
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
import { twilioStatusRoute } from './status-route.ts';
import { dispositionForCallStatus, streamTwiml } from './twiml.ts';

export interface TwilioCarrierOptions {
  /** https://api.twilio.com, or a local server in tests. */
  apiBaseUrl: string;
  accountSid: string;
  authToken: string;
  /** The engine's Media Streams endpoint as Twilio reaches it: wss://host/twilio. */
  streamUrl: string;
  /** Where Twilio posts status callbacks: the engine's statusRoute(), https://host/twilio/status. */
  statusCallbackUrl: string;
  registry: OutboundRegistry;
  /** Twilio's default is 1 call per second per account. */
  cps?: number;
  maxConcurrent?: number;
  /** REST request limit (default 10000). */
  requestTimeoutMs?: number;
  /** After the ring timeout, how long to wait for the media stream or a final status (default 10000). */
  settleMs?: number;
  log?: Logger;
}

/** Twilio REST error codes that mean the number itself is unusable. */
const INVALID_NUMBER_CODES = new Set([21211, 21214, 21217, 21401, 21407, 21421]);

type Waiter = (params: Record<string, string>) => void;

export class TwilioCarrier implements Carrier {
  readonly name = 'twilio';
  readonly capabilities: CarrierCapabilities;
  private readonly waiters = new Map<string, Waiter>();
  /** Statuses that arrived before the create response (bounded). */
  private readonly early = new Map<string, Record<string, string>[]>();
  private readonly closing = new AbortController();

  constructor(private readonly opts: TwilioCarrierOptions) {
    this.capabilities = { cps: opts.cps ?? 1, maxConcurrent: opts.maxConcurrent ?? 100, providerAmd: true };
  }

  /** Mount on the engine's HTTP server (EngineOptions.routes) at the statusCallbackUrl's path. */
  statusRoute(publicUrl?: string): RouteHandler {
    return twilioStatusRoute({
      path: new URL(this.opts.statusCallbackUrl).pathname,
      authToken: this.opts.authToken,
      ...(publicUrl ? { publicUrl } : {}),
      ...(this.opts.log ? { log: this.opts.log } : {}),
      onStatus: (p) => this.onStatus(p),
    });
  }

  private onStatus(params: Record<string, string>): void {
    const sid = params.CallSid;
    if (!sid) return;
    const waiter = this.waiters.get(sid);
    if (waiter) {
      waiter(params);
      return;
    }
    const list = this.early.get(sid) ?? [];
    list.push(params);
    this.early.set(sid, list);
    if (this.early.size > 1000) this.early.delete(this.early.keys().next().value!);
  }

  private async rest(
    path: string,
    form: URLSearchParams,
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    const base = this.opts.apiBaseUrl.replace(/\/+$/, '');
    const auth = Buffer.from(`${this.opts.accountSid}:${this.opts.authToken}`).toString('base64');
    const res = await fetch(
      `${base}/2010-04-01/Accounts/${encodeURIComponent(this.opts.accountSid)}${path}`,
      {
        method: 'POST',
        headers: { authorization: `Basic ${auth}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        signal: AbortSignal.timeout(this.opts.requestTimeoutMs ?? 10_000),
      },
    );
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = {};
    }
    return { status: res.status, json };
  }

  async originate(request: OriginateRequest): Promise<OriginateResult> {
    if (this.closing.signal.aborted) throw new VoicebotError('CARRIER_CLOSED', 'originate() after close()');
    validateOriginate(request);
    const started = performance.now();
    const result = (
      disposition: UnansweredDisposition,
      code: string,
      detail?: string,
      providerCallId?: string,
    ): UnansweredResult => ({
      status: 'unanswered',
      disposition,
      code,
      ringMs: Math.round(performance.now() - started),
      ...(detail ? { detail } : {}),
      ...(providerCallId ? { providerCallId } : {}),
    });
    const settleMs = this.opts.settleMs ?? 10_000;
    const legP = this.opts.registry.expect(request.attemptId, request.ringTimeoutMs + settleMs);
    legP.catch(() => {});
    const form = new URLSearchParams({
      To: request.to,
      From: request.from,
      Twiml: streamTwiml(this.opts.streamUrl, {
        ...request.parameters,
        direction: 'outbound',
        attemptId: request.attemptId,
        campaignId: request.campaignId,
      }),
      StatusCallback: this.opts.statusCallbackUrl,
      StatusCallbackMethod: 'POST',
      Timeout: String(Math.max(5, Math.min(600, Math.ceil(request.ringTimeoutMs / 1000)))),
    });
    for (const e of ['initiated', 'ringing', 'answered', 'completed']) form.append('StatusCallbackEvent', e);
    if (request.amd.mode === 'provider') form.set('MachineDetection', 'Enable');
    let created: { status: number; json: Record<string, unknown> };
    try {
      created = await this.rest('/Calls.json', form);
    } catch (err) {
      this.opts.registry.cancel(request.attemptId, 'create failed');
      return result('congestion', 'twilio:network', (err as Error).message);
    }
    const sid = typeof created.json.sid === 'string' ? created.json.sid : null;
    if (created.status !== 201 && created.status !== 200) {
      this.opts.registry.cancel(request.attemptId, 'create refused');
      const code = typeof created.json.code === 'number' ? created.json.code : null;
      const detail = `Twilio answered HTTP ${created.status}${code ? ` (code ${code})` : ''}`;
      if (code !== null && INVALID_NUMBER_CODES.has(code)) return result('invalid', `twilio:${code}`, detail);
      if (created.status === 429 || created.status >= 500)
        return result('congestion', `http:${created.status}`, detail);
      return result('failed', code ? `twilio:${code}` : `http:${created.status}`, detail);
    }
    if (!sid) {
      this.opts.registry.cancel(request.attemptId, 'no sid');
      return result('failed', 'twilio:no-sid', 'the create response had no call sid');
    }
    let answeredBy: string | undefined;
    const final = new Promise<UnansweredResult>((resolve) => {
      const handle: Waiter = (p) => {
        if (p.AnsweredBy) answeredBy = p.AnsweredBy;
        const d = dispositionForCallStatus(p.CallStatus ?? '', p.SipResponseCode);
        if (d) resolve(result(d.disposition, d.code, `CallStatus ${p.CallStatus}`, sid));
      };
      this.waiters.set(sid, handle);
      for (const p of this.early.get(sid) ?? []) handle(p);
      this.early.delete(sid);
    });
    const abort = new Promise<'aborted'>((resolve) => {
      const signals = [this.closing.signal, ...(request.signal ? [request.signal] : [])];
      const s = AbortSignal.any(signals);
      if (s.aborted) resolve('aborted');
      s.addEventListener('abort', () => resolve('aborted'), { once: true });
    });
    try {
      const winner = await Promise.race([
        legP.then(
          (leg) => ({ leg }) as { leg: CallLeg },
          () => 'no-media' as const,
        ),
        final,
        abort,
      ]);
      if (winner === 'aborted') {
        this.opts.registry.cancel(request.attemptId, 'cancelled');
        await this.rest(
          `/Calls/${encodeURIComponent(sid)}.json`,
          new URLSearchParams({ Status: 'canceled' }),
        ).catch(() => null);
        return result(
          'no-answer',
          this.closing.signal.aborted ? 'closed' : 'canceled',
          'cancelled while ringing',
          sid,
        );
      }
      if (winner === 'no-media')
        return result('failed', 'twilio:no-media', 'no media stream and no final status', sid);
      if ('leg' in winner) {
        return {
          status: 'answered',
          leg: winner.leg,
          providerCallId: sid,
          ringMs: Math.round(performance.now() - started),
          early: { answeredAtMs: 0, ...(answeredBy ? { providerAmd: answeredBy } : {}) },
        };
      }
      this.opts.registry.cancel(request.attemptId, winner.code);
      return winner;
    } finally {
      this.waiters.delete(sid);
    }
  }

  async close(): Promise<void> {
    this.closing.abort();
  }
}
