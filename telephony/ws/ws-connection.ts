import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { Clock } from '../../engine/clock.ts';
import type { Config } from '../../engine/config/schema.ts';
import { type ErrorCode, isVoicebotError } from '../../engine/errors.ts';
import type { Logger } from '../../engine/log/logger.ts';
import type { Metrics } from '../../engine/metrics/metrics.ts';
import type { BaseLeg } from '../leg/base-leg.ts';
import type { Pacer } from '../media/pacer.ts';
import { CLOSE, closeReason, FATAL_CLOSE, STREAK_CLOSE } from './close-codes.ts';
import { FloodGuard } from './flood-guard.ts';

export type WsTransport = 'twilio' | 'raw';

export interface WsConnectionDeps {
  ws: WebSocket;
  /** Gateway logger; the connection makes a {callId, transport} child. */
  log: Logger;
  metrics: Metrics;
  pacer: Pacer;
  clock: Clock;
  settings: Config['gateway'];
  /** Twilio account auth token (auth.twilioAuthToken), for REST call control. */
  twilioAuthToken?: string;
  /** Called once the call is up (start / metadata received). */
  onLeg: (leg: BaseLeg) => void;
}

/**
 * One telephony WebSocket: everything both protocols share. Flood guard, the start timeout,
 * bad-input accounting (one log line per problem, a counter, ignore or close), and tying the
 * socket's end to the leg's. A subclass parses its protocol's frames and creates the leg.
 */
export abstract class WsConnection {
  readonly callId = randomUUID();
  readonly closed: Promise<void>;
  protected readonly ws: WebSocket;
  protected readonly log: Logger;
  protected readonly deps: WsConnectionDeps;
  protected leg: BaseLeg | null = null;
  private readonly flood: FloodGuard;
  private readonly errorCounts = new Map<string, number>();
  private startTimer: NodeJS.Timeout | null;
  private streak = 0;
  /** Heard from since the last heartbeat (a message or a pong). */
  private alive = true;

  constructor(
    readonly transport: WsTransport,
    deps: WsConnectionDeps,
  ) {
    this.deps = deps;
    this.ws = deps.ws;
    this.log = deps.log.child({ callId: this.callId, transport });
    this.flood = new FloodGuard({ ratePerS: deps.settings.maxMessagesPerSecond, clock: deps.clock });
    this.closed = new Promise((resolve) => this.ws.once('close', () => resolve()));
    this.ws.on('message', (data, isBinary) => {
      try {
        this.onMessage(data as Buffer, isBinary);
      } catch (err) {
        // Nothing a peer sends may take the process down: drop this socket only.
        this.log.error({ err, code: 'INTERNAL' }, 'message handling failed: socket dropped');
        this.ws.terminate();
      }
    });
    this.ws.on('close', (code) => this.onClose(code));
    this.ws.on('error', (err) => this.onSocketError(err));
    this.ws.on('pong', () => {
      this.alive = true;
    });
    this.startTimer = setTimeout(() => {
      this.startTimer = null;
      this.problem('WS_START_TIMEOUT', `no start within ${deps.settings.startTimeoutMs} ms`);
    }, deps.settings.startTimeoutMs);
    this.log.debug('connection opened');
  }

  /** The call's leg once started (null before start and for refused connections). */
  get call(): BaseLeg | null {
    return this.leg;
  }

  protected abstract onText(text: string): void;
  protected abstract onBinary(data: Buffer): void;

  /** The subclass parsed start/metadata and built its leg: hand it to the call handler. */
  protected started(leg: BaseLeg): void {
    if (this.startTimer) clearTimeout(this.startTimer);
    this.startTimer = null;
    this.leg = leg;
    this.log.info(
      {
        sampleRate: leg.info.sampleRate,
        direction: leg.info.direction,
        pii: { from: leg.info.from, to: leg.info.to },
      },
      'call started',
    );
    this.deps.onLeg(leg);
  }

  /** Graceful shutdown: the leg hangs up (reason shutdown), the socket closes with 1001. */
  shutdown(): void {
    if (this.leg) this.leg.end('shutdown');
    else this.close(CLOSE.GOING_AWAY, 'server shutting down');
  }

  /**
   * Called by the gateway every pingIntervalMs: a peer that sent nothing and did not answer the
   * previous ping is gone (half-open TCP): the socket is dropped and the call ends.
   */
  heartbeat(): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (!this.alive) {
      this.log.warn(
        { pingIntervalMs: this.deps.settings.pingIntervalMs },
        'peer stopped answering: socket dropped',
      );
      this.ws.terminate();
      return;
    }
    this.alive = false;
    this.ws.ping();
  }

  /** Last resort after shutdown's grace period. */
  terminate(): void {
    this.ws.terminate();
  }

  protected close(code: number, reason: string): void {
    if (this.startTimer) clearTimeout(this.startTimer);
    this.startTimer = null;
    if (this.ws.readyState === this.ws.CONNECTING || this.ws.readyState === this.ws.OPEN) {
      this.ws.close(code, closeReason(reason));
    }
  }

  /**
   * Bad input from the peer: counted, logged (first time per code, then at 10, 100, ...), and
   * either ignored or, for fatal codes and long runs of garbage, the socket is closed.
   */
  protected problem(code: ErrorCode, message: string, forceClose?: number): void {
    this.deps.metrics.protocolErrors.inc({ transport: this.transport, code });
    const count = (this.errorCounts.get(code) ?? 0) + 1;
    this.errorCounts.set(code, count);
    const fatal = forceClose ?? FATAL_CLOSE[code];
    const streakCode = STREAK_CLOSE[code];
    if (streakCode !== undefined) this.streak++;
    const closeWith =
      fatal ??
      (streakCode !== undefined && this.streak >= this.deps.settings.badMessageLimit
        ? streakCode
        : undefined);
    if (closeWith !== undefined || count === 1 || Number.isInteger(Math.log10(count))) {
      this.log.warn(
        {
          code,
          count,
          ...(closeWith === undefined ? { action: 'ignored' } : { action: 'close', closeCode: closeWith }),
        },
        message,
      );
    }
    if (closeWith !== undefined) {
      this.close(closeWith, `${code}: ${message}`);
      this.leg?.end('error', code);
    } else {
      this.leg?.warn(code, message);
    }
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.alive = true;
    const verdict = this.flood.check();
    if (verdict !== 'ok') {
      const rate = this.deps.settings.maxMessagesPerSecond;
      if (verdict === 'close') {
        this.problem('WS_FLOOD', `over ${rate} messages/s for too long`, CLOSE.POLICY_VIOLATION);
      } else {
        this.problem('WS_FLOOD', `over ${rate} messages/s: message dropped`);
      }
      return;
    }
    try {
      if (isBinary) this.onBinary(data);
      else this.onText(data.toString('utf8'));
      this.streak = 0;
    } catch (err) {
      if (isVoicebotError(err) && err.code.startsWith('WS_')) {
        if (STREAK_CLOSE[err.code] === undefined) this.streak = 0;
        this.problem(err.code, err.message);
      } else {
        this.log.error({ err, code: 'INTERNAL' }, 'failed to handle a message');
        this.close(CLOSE.INTERNAL_ERROR, 'internal error');
        this.leg?.end('error', 'INTERNAL');
      }
    }
  }

  private onSocketError(err: Error & { code?: string }): void {
    if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      // ws has already closed the socket with 1009.
      this.problem(
        'WS_MESSAGE_TOO_LARGE',
        `message over maxMessageBytes ${this.deps.settings.maxMessageBytes}`,
      );
      this.leg?.end('error', 'WS_MESSAGE_TOO_LARGE');
      return;
    }
    if (err.code?.startsWith('WS_ERR_')) {
      // ws has already closed the socket (1002, or 1007 for text that is not UTF-8).
      this.deps.metrics.protocolErrors.inc({ transport: this.transport, code: 'WS_BAD_FRAME' });
      this.log.warn({ code: 'WS_BAD_FRAME', wsError: err.code, action: 'close' }, err.message);
      this.leg?.end('error', 'WS_BAD_FRAME');
      return;
    }
    this.log.warn({ err: { message: err.message, code: err.code } }, 'socket error');
  }

  private onClose(code: number): void {
    if (this.startTimer) clearTimeout(this.startTimer);
    this.startTimer = null;
    this.log.debug({ closeCode: code }, 'connection closed');
    this.leg?.end('caller', `socket closed (${code})`);
  }
}
