import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Socket as NetSocket, type Server } from 'node:net';
import { pino } from 'pino';
import type { Logger } from '../../engine/log/logger.ts';
import type { Metrics } from '../../engine/metrics/metrics.ts';
import type { CallHandler, CallInfo } from '../call-leg.ts';
import { Pacer } from '../media/pacer.ts';
import { RtpPortAllocator } from '../rtp/port-allocator.ts';
import { ALLOW, newTag, type SipDialog, type UaContext } from './dialog.ts';
import { parseCSeq, parseNameAddr, parseVia, tagOf } from './header-values.ts';
import { createResponse, type SipMessage, type SipRequest, type SipResponse, serialize } from './message.ts';
import { DEFAULT_PARSE_LIMITS, type ParseLimits, parseMessage, SipParseError } from './parser.ts';
import type { Law } from './sdp.ts';
import { SipCallLeg } from './sip-call-leg.ts';
import { StreamFramer } from './stream-framer.ts';
import { DEFAULT_TIMERS, type Endpoint, type SipTimers, TransactionLayer } from './transactions.ts';
import { type OutboundCallOptions, type OutboundCallResult, placeCall } from './uac.ts';
import { InviteHandler } from './uas.ts';

export interface SipUserAgentOptions {
  host?: string;
  /** 0 = any free port (read it back from `endpoint`). */
  port?: number;
  /** Address written into Contact/Via/SDP when it differs from `host` (NAT, 0.0.0.0 binds). */
  publicAddress?: string;
  rtpPortMin?: number;
  rtpPortMax?: number;
  timers?: Partial<SipTimers>;
  limits?: Partial<ParseLimits>;
  /** Concurrent calls (inbound + outbound) above which new INVITEs get 503. */
  maxCalls?: number;
  /** New inbound INVITEs per second above which they get 503 (flood guard). */
  maxInvitesPerSecond?: number;
  /** Inbound: time between 180 Ringing and 200 OK. */
  ringMs?: number;
  referTimeoutMs?: number;
  maxQueuedMs?: number;
  /** Also accept SIP over TCP on the same port (default true). */
  tcp?: boolean;
  /** Defaults for `call()`: outbound proxy `IPv4[:port]`, digest credentials, ring timeout. */
  outboundProxy?: string;
  username?: string;
  password?: string;
  ringTimeoutMs?: number;
  pacer?: Pacer;
  metrics?: Metrics;
  log?: Logger;
  /** Runs each answered call (inbound, and outbound once connected). */
  onCall?: CallHandler;
}

/**
 * The SIP edge over UDP: parses datagrams, runs transactions, answers calls (UAS) and places
 * them (see uac.ts), and turns every connected call into a SipCallLeg. Bad input is answered
 * (400/405/413/420/481/488/503/513) or dropped, always counted, and never affects other calls.
 */
export class SipUserAgent implements UaContext {
  readonly txns: TransactionLayer;
  readonly timers: SipTimers;
  readonly log: Logger;
  readonly ports: RtpPortAllocator;
  readonly pacer: Pacer;
  readonly referTimeoutMs: number;
  readonly dialogs = new Map<string, SipDialog>();
  readonly uas: InviteHandler;
  readonly limits: ParseLimits;
  private closed = false;
  onCall: CallHandler | undefined;
  /** Outbound calls not yet connected count against maxCalls too. */
  pendingOutbound = 0;
  /** Outbound INVITEs still waiting for a final response: close() gives them up (CANCEL). */
  readonly pendingInvites = new Set<() => void>();

  /** Open TCP connections by "address:port" of the peer (responses and in-dialog requests reuse them). */
  private readonly connections = new Map<string, NetSocket>();

  private constructor(
    private readonly socket: Socket,
    private readonly tcp: Server | null,
    readonly endpoint: Endpoint,
    readonly options: SipUserAgentOptions,
  ) {
    this.timers = { ...DEFAULT_TIMERS, ...options.timers };
    this.limits = { ...DEFAULT_PARSE_LIMITS, ...options.limits };
    this.log = (options.log ?? pino({ level: 'silent' })).child({ component: 'sip' });
    this.ports = new RtpPortAllocator(
      options.host ?? '127.0.0.1',
      options.rtpPortMin ?? 0,
      options.rtpPortMax ?? 0,
    );
    this.pacer = options.pacer ?? new Pacer();
    this.referTimeoutMs = options.referTimeoutMs ?? 30_000;
    this.uas = new InviteHandler(this);
    this.onCall = options.onCall;
    this.txns = new TransactionLayer(
      (m, to) => this.transmit(m, to),
      this.timers,
      (kind) => options.metrics?.sipRetransmissions.inc({ kind }),
    );
    socket.on('message', (data, rinfo) => this.onMessage(data, { address: rinfo.address, port: rinfo.port }));
    socket.on('error', (err) => this.log.error({ err }, 'SIP socket error'));
    tcp?.on('connection', (conn) => this.onConnection(conn));
  }

  private onConnection(conn: NetSocket): void {
    const source: Endpoint = {
      address: conn.remoteAddress ?? '',
      port: conn.remotePort ?? 0,
      transport: 'tcp',
    };
    const key = `${source.address}:${source.port}`;
    this.connections.set(key, conn);
    const framer = new StreamFramer(this.limits.maxMessageBytes);
    conn.setNoDelay(true);
    conn.on('data', (chunk) => {
      let messages: Buffer[];
      try {
        messages = framer.push(chunk);
      } catch (err) {
        this.metrics?.sipBadMessages.inc({ reason: 'stream-framing' });
        this.log.warn(
          { problem: (err as Error).message, from: key },
          'bad SIP stream: closing the connection',
        );
        conn.destroy();
        return;
      }
      for (const m of messages) this.onMessage(m, source);
    });
    conn.on('error', () => conn.destroy());
    conn.on('close', () => this.connections.delete(key));
  }

  static async start(options: SipUserAgentOptions = {}): Promise<SipUserAgent> {
    const host = options.host ?? '127.0.0.1';
    const wanted = options.port ?? 5060;
    // UDP and TCP share one port number; with port 0 retry until both are free.
    for (let attempt = 0; ; attempt++) {
      const socket = createSocket('udp4');
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(wanted, host, () => {
          socket.off('error', reject);
          resolve();
        });
      });
      const port = socket.address().port;
      let tcp: Server | null = null;
      if (options.tcp !== false) {
        tcp = await listenTcp(host, port);
        if (!tcp) {
          socket.close();
          if (wanted === 0 && attempt < 5) continue;
          throw new Error(`SIP port ${port} is free for UDP but not for TCP (set sip.port or disable TCP)`);
        }
      }
      const ua = new SipUserAgent(socket, tcp, { address: options.publicAddress ?? host, port }, options);
      ua.log.info({ host, port, tcp: tcp !== null }, 'SIP user agent listening');
      return ua;
    }
  }

  /**
   * Places an outbound call with this agent's defaults (outboundProxy, username/password,
   * ringTimeoutMs) under the given options; see placeCall in uac.ts.
   */
  call(options: OutboundCallOptions): Promise<OutboundCallResult> {
    const { outboundProxy, username, password, ringTimeoutMs } = this.options;
    const [host, port] = outboundProxy ? outboundProxy.split(':') : [];
    return placeCall(this, {
      proxy: host ? { address: host, port: Number(port ?? 5060) } : undefined,
      credentials: username && password ? { username, password } : undefined,
      ringTimeoutMs,
      ...options,
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get metrics(): Metrics | undefined {
    return this.options.metrics;
  }

  get activeCalls(): number {
    return this.dialogs.size + this.uas.ringing.size + this.pendingOutbound;
  }

  contactUri(): string {
    return `sip:voicebot@${this.endpoint.address}:${this.endpoint.port}`;
  }

  viaFor(branch: string, transport: 'udp' | 'tcp' = 'udp'): string {
    return `SIP/2.0/${transport.toUpperCase()} ${this.endpoint.address}:${this.endpoint.port};rport;branch=${branch}`;
  }

  mediaAddress(): string {
    return this.options.publicAddress ?? this.options.host ?? '127.0.0.1';
  }

  transmit(message: SipMessage, to: Endpoint): void {
    if (this.closed) return;
    if (message.kind === 'response') this.metrics?.sipResponsesSent.inc({ status: String(message.status) });
    if (to.transport === 'tcp') {
      const conn = this.connections.get(`${to.address}:${to.port}`);
      if (conn && !conn.destroyed) conn.write(serialize(message));
      else this.log.warn({ to: `${to.address}:${to.port}` }, 'TCP connection gone: SIP message not sent');
      return;
    }
    this.socket.send(serialize(message), to.port, to.address);
  }

  register(dialog: SipDialog): void {
    this.dialogs.set(dialog.key, dialog);
    this.metrics?.sipRtpPortsInUse.set(this.ports.inUse);
  }

  forget(dialog: SipDialog): void {
    this.dialogs.delete(dialog.key);
    this.metrics?.sipRtpPortsInUse.set(this.ports.inUse);
  }

  /** Makes the leg of a connected dialog and hands it to the call handler. */
  startLeg(dialog: SipDialog, info: CallInfo, law: Law): SipCallLeg {
    const leg = new SipCallLeg(info, dialog.rtp, law, dialog.control(), {
      pacer: this.pacer,
      log: dialog.log,
      metrics: this.metrics,
      maxQueuedMs: this.options.maxQueuedMs,
    });
    dialog.leg = leg;
    dialog.rtp.on('drop', (reason) => this.metrics?.sipRtpDropped.inc({ reason }));
    if (this.onCall) {
      Promise.resolve()
        .then(() => this.onCall?.(leg))
        .catch((err) => {
          dialog.log.error({ err }, 'call handler failed');
          leg.end('error', 'call handler failed');
        });
    }
    return leg;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    for (const giveUp of [...this.pendingInvites]) giveUp();
    for (const d of [...this.dialogs.values()]) {
      d.bye();
      d.terminate('shutdown');
    }
    for (const [key, r] of this.uas.ringing) {
      if (r.timer) clearTimeout(r.timer);
      r.dialog.terminate('shutdown');
      this.uas.ringing.delete(key);
    }
    // Give the BYEs a moment on the wire before the socket goes.
    await new Promise((r) => setTimeout(r, 20));
    this.closed = true;
    this.txns.close();
    for (const conn of this.connections.values()) conn.destroy();
    const tcpClosed = this.tcp
      ? new Promise<void>((resolve) => this.tcp!.close(() => resolve()))
      : Promise.resolve();
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
    await tcpClosed;
  }

  private onMessage(data: Buffer, source: Endpoint): void {
    if (data.length <= 4 && data.toString().trim() === '') return; // CRLF keep-alive
    let message: SipMessage;
    try {
      message = parseMessage(data, this.limits);
    } catch (err) {
      const e = err as SipParseError;
      this.metrics?.sipBadMessages.inc({
        reason: e.status === 513 ? 'too-large' : e.status === 413 ? 'body-too-large' : 'malformed',
      });
      this.log.warn(
        { status: e.status, problem: e.message, from: `${source.address}:${source.port}` },
        'bad SIP message',
      );
      if (e instanceof SipParseError && e.request && e.request.method !== 'ACK')
        this.transmit(
          createResponse(e.request, e.status, {
            headers: [['warning', `399 voicebot "${e.message.replace(/"/g, "'")}"`]],
          }),
          this.replyTo(e.request, source),
        );
      return;
    }
    try {
      if (message.kind === 'response') {
        this.metrics?.sipMessages.inc({ kind: `${Math.floor(message.status / 100)}xx` });
        this.onResponse(message);
      } else {
        this.metrics?.sipMessages.inc({ kind: KNOWN_METHODS.has(message.method) ? message.method : 'other' });
        this.onRequest(message, this.replyTo(message, source));
      }
    } catch (err) {
      this.metrics?.sipBadMessages.inc({ reason: 'unhandled' });
      this.log.error({ err }, 'SIP message handling failed');
      if (message.kind === 'request' && message.method !== 'ACK')
        this.transmit(createResponse(message, 500), this.replyTo(message, source));
    }
  }

  /** Responses go to the source address and port (rport, RFC 3581), which is right behind NAT too. */
  private replyTo(_req: SipRequest, source: Endpoint): Endpoint {
    return source;
  }

  /** Handlers for responses that match no transaction (2xx retransmissions of outbound INVITEs). */
  readonly strayResponseHandlers = new Set<(res: SipResponse) => boolean>();

  private onResponse(res: SipResponse): void {
    if (this.txns.receiveResponse(res)) return;
    for (const h of this.strayResponseHandlers) if (h(res)) return;
  }

  private onRequest(req: SipRequest, source: Endpoint): void {
    try {
      parseVia(req.headers.get('via')!);
      parseCSeq(req.headers.get('cseq')!);
      parseNameAddr(req.headers.get('from')!);
      parseNameAddr(req.headers.get('to')!);
      const contact = req.headers.get('contact');
      if (contact && contact !== '*') parseNameAddr(contact);
    } catch (err) {
      this.metrics?.sipBadMessages.inc({ reason: 'malformed' });
      if (req.method !== 'ACK')
        this.transmit(createResponse(req, 400, { reason: (err as Error).message.slice(0, 60) }), source);
      return;
    }
    if (this.txns.matchServer(req)) return; // retransmission, or ACK of a non-2xx: absorbed
    const toTag = tagOf(req.headers.get('to'));
    const dialogKey = `${req.headers.get('call-id')}|${toTag}|${tagOf(req.headers.get('from'))}`;
    if (req.method === 'ACK') {
      this.dialogs.get(dialogKey)?.handle(req, null);
      return;
    }
    const txn = this.txns.createServer(req, source);
    if (Number(req.headers.get('max-forwards') ?? '70') <= 0) {
      txn.respond(createResponse(req, 483));
      return;
    }
    if (req.method === 'CANCEL') {
      this.uas.onCancel(req, txn);
      return;
    }
    if (toTag) {
      const dialog = this.dialogs.get(dialogKey);
      if (dialog) dialog.handle(req, txn);
      else txn.respond(createResponse(req, 481));
      return;
    }
    switch (req.method) {
      case 'INVITE':
        this.uas.onInvite(req, txn, source).catch((err: unknown) => {
          // A header we could not use (bad From/Contact URI...): answer, count, keep serving.
          this.metrics?.sipBadMessages.inc({ reason: 'unhandled' });
          this.log.warn({ problem: (err as Error).message }, 'INVITE failed');
          if (txn.state === 'proceeding')
            txn.respond(createResponse(req, 400, { reason: 'Bad Request', toTag: newTag() }));
        });
        return;
      case 'OPTIONS':
        txn.respond(
          createResponse(req, 200, {
            toTag: newTag(),
            headers: [
              ['allow', ALLOW],
              ['accept', 'application/sdp'],
              ['supported', 'replaces, timer'],
            ],
          }),
        );
        return;
      case 'BYE':
      case 'INFO':
      case 'NOTIFY':
        txn.respond(createResponse(req, 481, { toTag: newTag() }));
        return;
      default:
        txn.respond(createResponse(req, 405, { toTag: newTag(), headers: [['allow', ALLOW]] }));
    }
  }
}

const KNOWN_METHODS = new Set([
  'INVITE',
  'ACK',
  'BYE',
  'CANCEL',
  'OPTIONS',
  'INFO',
  'NOTIFY',
  'REFER',
  'REGISTER',
  'SUBSCRIBE',
  'UPDATE',
  'PRACK',
  'MESSAGE',
  'PUBLISH',
]);

function listenTcp(host: string, port: number): Promise<Server | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(null));
    server.listen(port, host, () => resolve(server));
  });
}
