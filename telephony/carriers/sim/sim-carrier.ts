/**
 * The `sim` carrier: callees are personas (persona.ts) drawn with a seeded RNG per attempt, so a
 * run is reproducible whatever the call order. Unanswered outcomes come back after the persona's
 * ring time with SIP-style codes; an answered call is a real audio call: a SimCaller connects to
 * the engine's /raw (or /twilio) endpoint with `direction: outbound` and the attempt id, the
 * engine's OutboundRegistry hands the resulting leg to originate(), and the persona speaks.
 * The carrier also plays the platform's switch for the bot's transfers (sim-transfer.ts).
 */

import { VoicebotError } from '../../../engine/errors.ts';
import type { Logger } from '../../../engine/log/logger.ts';
import { SimCaller } from '../../../fixtures/sim-caller/sim-caller.ts';
import { Pacer } from '../../media/pacer.ts';
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
import { runCallee, SpeechCache } from './callee.ts';
import { drawOutcome, type Persona, pickPersona } from './persona.ts';
import { hash32, rngFor } from './rng.ts';
import { routeTransfers, type SimTransfer } from './sim-transfer.ts';

export interface SimCarrierOptions {
  /** The engine's base URL, http://127.0.0.1:port. */
  engineUrl: string;
  registry: OutboundRegistry;
  personas: Persona[];
  seed?: number;
  protocol?: 'raw' | 'twilio';
  /** Gateway credential for each call (an HMAC URL token), when the gateway wants one. */
  token?: () => string;
  cps?: number;
  maxConcurrent?: number;
  /** Ring times are multiplied by this (0.01 makes a 10 s ring 100 ms; audio stays real time). */
  ringTimeScale?: number;
  /** How long an answered call may take to open its media stream (default 5000). */
  mediaTimeoutMs?: number;
  /** Sees each transfer the bot asks for (raw protocol), routed or refused. */
  onTransfer?: (t: SimTransfer) => void;
  log?: Logger;
}

/** Resolves true after ms, false as soon as the signal aborts. */
function wait(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const t = setTimeout(() => finish(true), ms);
    function finish(v: boolean) {
      clearTimeout(t);
      signal.removeEventListener('abort', onAbort);
      resolve(v);
    }
    const onAbort = () => finish(false);
    signal.addEventListener('abort', onAbort);
  });
}

export class SimCarrier implements Carrier {
  readonly name = 'sim';
  readonly capabilities: CarrierCapabilities;
  private readonly opts: SimCarrierOptions;
  private readonly seed: number;
  private readonly speech = new SpeechCache();
  private readonly pacer = new Pacer();
  private readonly closing = new AbortController();
  private readonly callees = new Set<Promise<void>>();
  private readonly transferLog: SimTransfer[] = [];
  private active = 0;

  constructor(options: SimCarrierOptions) {
    if (options.personas.length === 0) {
      throw new VoicebotError('CARRIER_BAD_REQUEST', 'the sim carrier needs at least one persona');
    }
    this.opts = options;
    this.seed = options.seed ?? 1;
    this.capabilities = {
      cps: options.cps ?? 50,
      maxConcurrent: options.maxConcurrent ?? 500,
      providerAmd: false,
    };
  }

  /** The persona an attempt gets (parameters.persona names one; otherwise drawn by weight). */
  personaFor(request: Pick<OriginateRequest, 'attemptId' | 'parameters'>): Persona {
    const named = request.parameters?.persona;
    if (named !== undefined) {
      const p = this.opts.personas.find((x) => x.name === named);
      if (!p) throw new VoicebotError('CARRIER_BAD_REQUEST', `no sim persona named ${JSON.stringify(named)}`);
      return p;
    }
    return pickPersona(this.opts.personas, rngFor(this.seed, `persona:${request.attemptId}`));
  }

  async originate(request: OriginateRequest): Promise<OriginateResult> {
    if (this.closing.signal.aborted) throw new VoicebotError('CARRIER_CLOSED', 'originate() after close()');
    validateOriginate(request);
    const persona = this.personaFor(request);
    const outcome = drawOutcome(persona, rngFor(this.seed, `call:${request.attemptId}`));
    const scale = this.opts.ringTimeScale ?? 1;
    const started = performance.now();
    const signal = AbortSignal.any([this.closing.signal, ...(request.signal ? [request.signal] : [])]);
    const providerCallId = `SIM${hash32(`${this.seed}:${request.attemptId}`).toString(16).padStart(8, '0')}`;
    const done = (disposition: UnansweredDisposition, code: string, detail?: string): UnansweredResult => ({
      status: 'unanswered',
      disposition,
      code,
      providerCallId,
      ringMs: Math.round(performance.now() - started),
      ...(detail ? { detail } : {}),
    });
    if (this.active >= this.capabilities.maxConcurrent) {
      return done(
        'congestion',
        'sip:503',
        `over the sim carrier's maxConcurrent (${this.capabilities.maxConcurrent})`,
      );
    }
    this.active++;
    let handedOver = false;
    try {
      if (outcome.kind === 'invalid') return done('invalid', 'sip:404', `persona ${persona.name}`);
      const rings = outcome.kind === 'ring-out' || outcome.ringMs >= request.ringTimeoutMs;
      const ringFor = rings ? request.ringTimeoutMs : outcome.ringMs;
      if (!(await wait(ringFor * scale, signal))) {
        return done(
          'no-answer',
          this.closing.signal.aborted ? 'closed' : 'canceled',
          'cancelled while ringing',
        );
      }
      if (outcome.kind === 'busy') return done('busy', 'sip:486', `persona ${persona.name}`);
      if (outcome.kind === 'declined') return done('declined', 'sip:603', `persona ${persona.name}`);
      if (rings || outcome.kind === 'ring-out') {
        return done('no-answer', 'sip:487', `rang ${request.ringTimeoutMs} ms`);
      }
      const answered = await this.answer(request, persona, outcome.kind, providerCallId, started);
      if (answered.status === 'answered') handedOver = true;
      return answered;
    } finally {
      if (!handedOver) this.active--;
    }
  }

  private async answer(
    request: OriginateRequest,
    persona: Persona,
    kind: 'human' | 'machine',
    providerCallId: string,
    started: number,
  ): Promise<OriginateResult> {
    const { registry, engineUrl } = this.opts;
    const legPromise = registry.expect(request.attemptId, this.opts.mediaTimeoutMs ?? 5000);
    legPromise.catch(() => {});
    const token = this.opts.token?.();
    const caller = new SimCaller({
      url: engineUrl,
      protocol: this.opts.protocol ?? 'raw',
      pacer: this.pacer,
      callSid: providerCallId,
      from: request.from,
      to: request.to,
      customParameters: {
        ...request.parameters,
        direction: 'outbound',
        attemptId: request.attemptId,
        campaignId: request.campaignId,
      },
      ...(token ? { token } : {}),
      transferAnswer: null, // answered by routeTransfers below, as the platform
    });
    routeTransfers(caller, { attemptId: request.attemptId, providerCallId }, (t) => {
      this.transferLog.push(t);
      this.opts.onTransfer?.(t);
    });
    try {
      await caller.connect();
    } catch (err) {
      registry.cancel(request.attemptId, 'media connect failed');
      this.opts.log?.warn(
        { code: 'CARRIER_NO_MEDIA', err, attemptId: request.attemptId },
        'sim media failed',
      );
      return this.unanswered('failed', 'sim:media', (err as Error).message, providerCallId, started);
    }
    let leg: Awaited<typeof legPromise>;
    try {
      leg = await legPromise;
    } catch (err) {
      caller.terminate();
      return this.unanswered('failed', 'sim:media', (err as Error).message, providerCallId, started);
    }
    const run = runCallee({ caller, persona, kind, speech: this.speech, signal: this.closing.signal })
      .catch((err: unknown) => {
        this.opts.log?.warn({ err, attemptId: request.attemptId }, 'sim callee failed');
        caller.terminate();
      })
      .finally(() => {
        this.active--;
        this.callees.delete(run);
      });
    this.callees.add(run);
    return {
      status: 'answered',
      leg,
      providerCallId,
      ringMs: Math.round(performance.now() - started),
      early: { answeredAtMs: 0 },
    };
  }

  private unanswered(
    disposition: UnansweredDisposition,
    code: string,
    detail: string,
    providerCallId: string,
    started: number,
  ): UnansweredResult {
    return {
      status: 'unanswered',
      disposition,
      code,
      detail,
      providerCallId,
      ringMs: Math.round(performance.now() - started),
    };
  }

  /** Every transfer the bot asked for so far, in order. */
  transfers(): readonly SimTransfer[] {
    return [...this.transferLog];
  }

  /** Calls still up (ringing or answered). */
  activeCalls(): number {
    return this.active;
  }

  async close(): Promise<void> {
    this.closing.abort();
    await Promise.all([...this.callees]);
    this.pacer.stop();
  }
}
