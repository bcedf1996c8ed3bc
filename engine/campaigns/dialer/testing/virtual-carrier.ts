import { EventEmitter } from 'node:events';
import type {
  CallInfo,
  CallLeg,
  HangupEvent,
  TransferRequest,
  TransferResult,
} from '../../../../telephony/call-leg.ts';
import type {
  Carrier,
  CarrierCapabilities,
  OriginateRequest,
  OriginateResult,
  UnansweredDisposition,
} from '../../../../telephony/carriers/carrier.ts';
import type { AudioFrame } from '../../../audio/frame.ts';
import type { DialerClock } from '../clock.ts';

/**
 * A carrier in virtual time for dialer tests and simulations: each number's persona (picked by
 * `persona(to)`) decides ring time and outcome; answered calls get an in-process leg with no
 * audio that the callee hangs up after `talkMs`. Every originate is logged with its time, so
 * tests can check windows, CPS and concurrency against what was really dialed.
 */
export type Persona =
  | { kind: 'answer'; ringMs: number; talkMs: number }
  | { kind: UnansweredDisposition; ringMs: number };

export interface DialRecord {
  to: string;
  attemptId: string;
  startMs: number;
  endMs: number | null;
}

class VirtualLeg extends EventEmitter implements CallLeg {
  readonly info: CallInfo;
  private up = true;
  constructor(
    info: CallInfo,
    private readonly ended: (reason: HangupEvent) => void,
  ) {
    super();
    this.info = info;
  }
  get active(): boolean {
    return this.up;
  }
  sendAudio(_frame: AudioFrame): void {}
  mark(name: string): void {
    queueMicrotask(() => this.emit('mark', { name, played: true }));
  }
  clear(): void {}
  queuedMs(): number {
    return 0;
  }
  async transfer(_r: TransferRequest): Promise<TransferResult> {
    return { ok: true };
  }
  end(event: HangupEvent): void {
    if (!this.up) return;
    this.up = false;
    this.ended(event);
    this.emit('hangup', event);
  }
  hangup(detail?: string): void {
    this.end({ reason: 'bot', detail });
  }
}

export class VirtualCarrier implements Carrier {
  readonly name = 'virtual';
  readonly capabilities: CarrierCapabilities;
  readonly log: DialRecord[] = [];
  private live = 0;
  peakConcurrent = 0;

  constructor(
    private readonly clock: DialerClock,
    private readonly persona: (to: string) => Persona,
    capabilities: Partial<CarrierCapabilities> = {},
  ) {
    this.capabilities = { cps: 1000, maxConcurrent: 10_000, providerAmd: false, ...capabilities };
  }

  get concurrent(): number {
    return this.live;
  }

  async originate(req: OriginateRequest): Promise<OriginateResult> {
    const rec: DialRecord = { to: req.to, attemptId: req.attemptId, startMs: this.clock.now(), endMs: null };
    this.log.push(rec);
    this.live++;
    this.peakConcurrent = Math.max(this.peakConcurrent, this.live);
    const finish = () => {
      if (rec.endMs === null) {
        rec.endMs = this.clock.now();
        this.live--;
      }
    };
    const p = this.persona(req.to);
    const ringMs = Math.min(p.ringMs, req.ringTimeoutMs);
    await this.clock.sleep(ringMs, req.signal);
    if (p.kind !== 'answer' || p.ringMs > req.ringTimeoutMs || req.signal?.aborted) {
      finish();
      const disposition = p.kind === 'answer' ? 'no-answer' : p.kind;
      return { status: 'unanswered', disposition, code: `virtual:${disposition}`, ringMs };
    }
    const leg = new VirtualLeg(
      {
        callId: req.attemptId,
        transport: 'virtual',
        direction: 'outbound',
        to: req.to,
        from: req.from,
        parameters: { ...req.parameters, attemptId: req.attemptId },
        sampleRate: 8000,
      },
      finish,
    );
    void this.clock.sleep(p.talkMs).then(() => leg.end({ reason: 'caller' }));
    return {
      status: 'answered',
      leg,
      providerCallId: `v-${req.attemptId}`,
      ringMs,
      early: { answeredAtMs: 0 },
    };
  }

  async close(): Promise<void> {}
}

/** Waits for the callee to hang up (or `maxMs`): the runner for pure-bot tests. */
export function waitForHangup(leg: CallLeg, clock: DialerClock, maxMs: number, signal?: AbortSignal) {
  return new Promise<void>((resolve) => {
    if (!leg.active) return resolve();
    const stop = new AbortController();
    leg.once('hangup', () => stop.abort());
    signal?.addEventListener('abort', () => stop.abort(), { once: true });
    void clock.sleep(maxMs, stop.signal).then(() => resolve());
  });
}
