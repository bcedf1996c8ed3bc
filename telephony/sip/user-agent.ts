import { randomUUID } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { pino } from 'pino';
import type { Logger } from '../../engine/log/logger.ts';
import type { Metrics } from '../../engine/metrics/metrics.ts';
import type { CallHandler } from '../call-leg.ts';
import { Pacer } from '../media/pacer.ts';
import { RtpPortAllocator } from '../rtp/port-allocator.ts';
import { RtpSession } from '../rtp/rtp-session.ts';
import { ALLOW, newTag, SipDialog, type UaContext } from './dialog.ts';
import { parseCSeq, parseNameAddr, parseVia, tagOf } from './header-values.ts';
import { createResponse, type SipMessage, type SipRequest, type SipResponse, serialize } from './message.ts';
import { DEFAULT_PARSE_LIMITS, type ParseLimits, parseMessage, SipParseError } from './parser.ts';
import { negotiateOffer, SdpError } from './sdp.ts';
import { SipCallLeg } from './sip-call-leg.ts';
import {
  DEFAULT_TIMERS,
  type Endpoint,
  type ServerTransaction,
  type SipTimers,
  TransactionLayer,
} from './transactions.ts';

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
  pacer?: Pacer;
  metrics?: Metrics;
  log?: Logger;
  /** Runs each answered call (inbound, and outbound once connected). */
  onCall?: CallHandler;
}

const SUPPORTED_EXTENSIONS = new Set(['timer', 'replaces', 'norefersub']);

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
  /** Inbound INVITEs not answered yet, by server transaction key. */
  private readonly ringing = new Map<string, { dialog: SipDialog; timer: NodeJS.Timeout | null }>();
  readonly limits: ParseLimits;
  private inviteTokens: number;
  private lastRefill = performance.now();
  private closed = false;
  onCall: CallHandler | undefined;
  /** Outbound calls not yet connected count against maxCalls too. */
  pendingOutbound = 0;

  private constructor(
    private readonly socket: Socket,
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
    this.inviteTokens = options.maxInvitesPerSecond ?? 50;
    this.onCall = options.onCall;
    this.txns = new TransactionLayer(
      (m, to) => this.transmit(m, to),
      this.timers,
      (kind) => options.metrics?.sipRetransmissions.inc({ kind }),
    );
    socket.on('message', (data, rinfo) => this.onDatagram(data, rinfo));
    socket.on('error', (err) => this.log.error({ err }, 'SIP socket error'));
  }

  static async start(options: SipUserAgentOptions = {}): Promise<SipUserAgent> {
    const host = options.host ?? '127.0.0.1';
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(options.port ?? 5060, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const ua = new SipUserAgent(
      socket,
      { address: options.publicAddress ?? host, port: socket.address().port },
      options,
    );
    ua.log.info({ host, port: ua.endpoint.port }, 'SIP user agent listening (udp)');
    return ua;
  }

  get metrics(): Metrics | undefined {
    return this.options.metrics;
  }

  get activeCalls(): number {
    return this.dialogs.size + this.ringing.size + this.pendingOutbound;
  }

  contactUri(): string {
    return `sip:voicebot@${this.endpoint.address}:${this.endpoint.port}`;
  }

  viaFor(branch: string): string {
    return `SIP/2.0/UDP ${this.endpoint.address}:${this.endpoint.port};rport;branch=${branch}`;
  }

  mediaAddress(): string {
    return this.options.publicAddress ?? this.options.host ?? '127.0.0.1';
  }

  transmit(message: SipMessage, to: Endpoint): void {
    if (this.closed) return;
    if (message.kind === 'response') this.metrics?.sipResponsesSent.inc({ status: String(message.status) });
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

  /** Makes a leg for a connected dialog, counts it and hands it to the call handler. */
  connect(dialog: SipDialog, leg: SipCallLeg): void {
    dialog.leg = leg;
    const started = performance.now();
    this.metrics?.callsActive.inc({ transport: 'sip' });
    this.metrics?.callsTotal.inc({ transport: 'sip' });
    leg.on('audio', () => this.metrics?.framesIn.inc({ transport: 'sip' }));
    leg.once('hangup', (e) => {
      this.metrics?.callsActive.dec({ transport: 'sip' });
      this.metrics?.callDuration.observe(
        { transport: 'sip', reason: e.reason },
        (performance.now() - started) / 1000,
      );
      dialog.log.info({ reason: e.reason, detail: e.detail }, 'call ended');
    });
    dialog.rtp.on('drop', (reason) => this.metrics?.sipRtpDropped.inc({ reason }));
    if (!this.onCall) return;
    Promise.resolve()
      .then(() => this.onCall?.(leg))
      .catch((err) => {
        dialog.log.error({ err }, 'call handler failed');
        leg.hangup('handler error');
      });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    for (const d of [...this.dialogs.values()]) {
      d.bye();
      d.terminate('shutdown');
    }
    for (const [key, r] of this.ringing) {
      if (r.timer) clearTimeout(r.timer);
      r.dialog.terminate('shutdown');
      this.ringing.delete(key);
    }
    // Give the BYEs a moment on the wire before the socket goes.
    await new Promise((r) => setTimeout(r, 20));
    this.closed = true;
    this.txns.close();
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  private onDatagram(data: Buffer, rinfo: RemoteInfo): void {
    if (data.length <= 4 && data.toString().trim() === '') return; // CRLF keep-alive
    const source = { address: rinfo.address, port: rinfo.port };
    let message: SipMessage;
    try {
      message = parseMessage(data, this.limits);
    } catch (err) {
      const e = err as SipParseError;
      this.metrics?.sipBadMessages.inc({
        reason: e.status === 513 ? 'too-large' : e.status === 413 ? 'body-too-large' : 'malformed',
      });
      this.log.warn(
        { status: e.status, problem: e.message, from: `${rinfo.address}:${rinfo.port}` },
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
      this.onCancel(req, txn);
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
        void this.onInvite(req, txn, source);
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

  private onCancel(cancel: SipRequest, txn: ServerTransaction): void {
    const invite = this.txns.findInviteFor(cancel);
    if (!invite) {
      txn.respond(createResponse(cancel, 481));
      return;
    }
    txn.respond(createResponse(cancel, 200));
    if (invite.state !== 'proceeding') return;
    invite.cancelled = true;
    const ringing = this.ringing.get(invite.key);
    invite.respond(createResponse(invite.request, 487, { toTag: ringing?.dialog.localTag ?? newTag() }));
    if (ringing) {
      if (ringing.timer) clearTimeout(ringing.timer);
      this.ringing.delete(invite.key);
      ringing.dialog.terminate('caller', 'cancelled');
    }
  }

  private takeInviteToken(): boolean {
    const rate = this.options.maxInvitesPerSecond ?? 50;
    const now = performance.now();
    this.inviteTokens = Math.min(rate, this.inviteTokens + ((now - this.lastRefill) / 1000) * rate);
    this.lastRefill = now;
    if (this.inviteTokens < 1) return false;
    this.inviteTokens -= 1;
    return true;
  }

  private reject(
    txn: ServerTransaction,
    status: number,
    reason: string,
    warning: string,
    extra: [string, string][] = [],
  ): void {
    this.metrics?.sipRejectedInvites.inc({ reason });
    this.log.info({ status, reason, warning }, 'INVITE refused');
    txn.respond(
      createResponse(txn.request, status, {
        toTag: newTag(),
        headers: [['warning', `399 voicebot "${warning.replace(/"/g, "'")}"`], ...extra],
      }),
    );
  }

  private async onInvite(req: SipRequest, txn: ServerTransaction, source: Endpoint): Promise<void> {
    txn.respond(createResponse(req, 100));
    if (!this.takeInviteToken())
      return this.reject(txn, 503, 'rate', 'too many new calls per second', [['retry-after', '5']]);
    if (this.activeCalls >= (this.options.maxCalls ?? 500))
      return this.reject(txn, 503, 'capacity', 'at call capacity', [['retry-after', '10']]);
    const required = (req.headers.getAll('require').join(',') || '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter((s) => s && !SUPPORTED_EXTENSIONS.has(s));
    if (required.length)
      return this.reject(txn, 420, 'extension', `unsupported: ${required.join(',')}`, [
        ['unsupported', required.join(', ')],
      ]);
    const type = (req.headers.get('content-type') ?? '').toLowerCase();
    if (!req.body.length || !type.startsWith('application/sdp'))
      return this.reject(txn, 488, 'sdp', 'an SDP offer (application/sdp) is required in the INVITE');
    let selection: ReturnType<typeof negotiateOffer>;
    try {
      selection = negotiateOffer(req.body.toString('utf8'));
    } catch (err) {
      const e = err as Error;
      return this.reject(
        txn,
        err instanceof SdpError ? 488 : 400,
        err instanceof SdpError && e.message.startsWith('no common') ? 'codec' : 'sdp',
        e.message,
      );
    }
    let allocated: Awaited<ReturnType<RtpPortAllocator['allocate']>>;
    try {
      allocated = await this.ports.allocate();
    } catch (err) {
      return this.reject(txn, 503, 'ports', (err as Error).message, [['retry-after', '10']]);
    }
    if (txn.cancelled || this.closed) {
      this.ports.release(allocated.port, allocated.socket);
      return;
    }
    const callId = req.headers.get('call-id')!;
    const from = parseNameAddr(req.headers.get('from')!);
    const to = parseNameAddr(req.headers.get('to')!);
    const contact = req.headers.get('contact');
    const rtp = new RtpSession(
      allocated.socket,
      allocated.port,
      { address: selection.remoteAddress, port: selection.remotePort },
      selection.payloadType,
      selection.dtmfPayloadType,
    );
    const id = randomUUID();
    const log = this.log.child({ callId: id, sipCallId: callId });
    const dialog = new SipDialog(
      this,
      callId,
      newTag(),
      from.params.tag ?? '',
      to.uri,
      from.uri,
      contact ? parseNameAddr(contact).uri : from.uri,
      req.headers.getAll('record-route'),
      Math.floor(Math.random() * 10_000),
      parseCSeq(req.headers.get('cseq')!).seq,
      source,
      rtp,
      log,
    );
    log.info({ pii: { from: from.uri, to: to.uri }, codec: selection.law }, 'inbound call');
    txn.respond(
      createResponse(req, 180, { toTag: dialog.localTag, headers: [['contact', `<${this.contactUri()}>`]] }),
    );
    const answer = () => {
      this.ringing.delete(txn.key);
      if (txn.cancelled || this.closed) return;
      const response = dialog.answerResponse(
        req,
        'sendrecv',
        selection.payloadType,
        selection.law,
        selection.dtmfPayloadType,
      );
      this.register(dialog);
      dialog.sendAnswer(txn, response);
      const leg = new SipCallLeg(
        {
          callId: id,
          transport: 'sip',
          direction: 'inbound',
          from: from.uri,
          to: to.uri,
          providerCallId: callId,
          parameters: {},
          sampleRate: 8000,
        },
        rtp,
        selection.law,
        this.pacer,
        {
          bye: (detail) => {
            dialog.bye();
            dialog.terminate('bot', detail);
          },
          refer: (t) => dialog.refer(t),
        },
        this.options.maxQueuedMs,
      );
      this.connect(dialog, leg);
    };
    const ringMs = this.options.ringMs ?? 0;
    const entry = { dialog, timer: null as NodeJS.Timeout | null };
    this.ringing.set(txn.key, entry);
    if (ringMs > 0) entry.timer = setTimeout(answer, ringMs);
    else answer();
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
