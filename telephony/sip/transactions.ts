import { parseCSeq, parseVia } from './header-values.ts';
import { createRequest, type SipMessage, type SipRequest, type SipResponse } from './message.ts';

/**
 * RFC 3261 §17 transactions over an unreliable transport (UDP): retransmission and timeout
 * timers A/B/D (INVITE client), E/F/K (non-INVITE client), G/H/I (INVITE server) and J
 * (non-INVITE server). T1/T2/T4 are injectable so tests can shrink them.
 */

export interface Endpoint {
  address: string;
  port: number;
  /** Default udp. Over tcp nothing is retransmitted by the transaction layer (RFC 3261 §17). */
  transport?: 'udp' | 'tcp';
}

export interface SipTimers {
  t1Ms: number;
  t2Ms: number;
  t4Ms: number;
}

export const DEFAULT_TIMERS: SipTimers = { t1Ms: 500, t2Ms: 4000, t4Ms: 5000 };

export type Send = (message: SipMessage, to: Endpoint) => void;

export interface ClientCallbacks {
  onResponse(response: SipResponse): void;
  /** Timer B/F fired, or the transport failed: no final response will come. */
  onTimeout(): void;
}

function branchOf(m: SipMessage): string {
  const via = m.headers.get('via');
  if (!via) return '';
  try {
    return parseVia(via).params.branch ?? '';
  } catch {
    return '';
  }
}

function sentByOf(m: SipMessage): string {
  const via = m.headers.get('via');
  if (!via) return '';
  try {
    const v = parseVia(via);
    return `${v.host}:${v.port ?? 5060}`;
  } catch {
    return '';
  }
}

export class ServerTransaction {
  state: 'proceeding' | 'accepted' | 'completed' | 'confirmed' | 'terminated' = 'proceeding';
  lastResponse: SipResponse | null = null;
  private timers: NodeJS.Timeout[] = [];
  /** Set when a CANCEL for this INVITE arrived. */
  cancelled = false;

  constructor(
    private readonly layer: TransactionLayer,
    readonly key: string,
    readonly request: SipRequest,
    readonly source: Endpoint,
  ) {}

  get isInvite(): boolean {
    return this.request.method === 'INVITE';
  }

  respond(response: SipResponse): void {
    if (this.state !== 'proceeding') return;
    this.lastResponse = response;
    this.layer.transmit(response, this.source);
    if (response.status < 200) return;
    const { t1Ms, t2Ms } = this.layer.timers;
    if (this.isInvite && response.status < 300) {
      // 2xx to INVITE (RFC 6026 "Accepted"): the dialog retransmits the 2xx until ACK; the
      // transaction only lingers (Timer L) to absorb retransmitted INVITEs.
      this.state = 'accepted';
      this.timers.push(setTimeout(() => this.terminate(), 64 * t1Ms));
      return;
    }
    this.state = 'completed';
    const reliable = this.source.transport === 'tcp';
    if (this.isInvite) {
      let interval = t1Ms;
      const g = () => {
        if (this.state !== 'completed') return;
        this.layer.retransmissions('response');
        this.layer.transmit(response, this.source);
        interval = Math.min(interval * 2, t2Ms);
        this.timers.push(setTimeout(g, interval));
      };
      if (!reliable) this.timers.push(setTimeout(g, interval));
      this.timers.push(setTimeout(() => this.terminate(), 64 * t1Ms)); // Timer H
    } else {
      this.timers.push(setTimeout(() => this.terminate(), 64 * t1Ms)); // Timer J
    }
  }

  /** A retransmitted request (or the ACK for a non-2xx final) arrived. */
  absorb(request: SipRequest): void {
    if (request.method === 'ACK') {
      if (this.state === 'completed') {
        this.state = 'confirmed';
        this.clearTimers();
        this.timers.push(setTimeout(() => this.terminate(), this.layer.timers.t4Ms)); // Timer I
      }
      return;
    }
    if (this.lastResponse) {
      this.layer.retransmissions('response');
      this.layer.transmit(this.lastResponse, this.source);
    }
  }

  terminate(): void {
    this.state = 'terminated';
    this.clearTimers();
    this.layer.forgetServer(this.key);
  }

  private clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }
}

export class ClientTransaction {
  state: 'calling' | 'proceeding' | 'completed' | 'terminated' = 'calling';
  private timers: NodeJS.Timeout[] = [];
  private ack: SipRequest | null = null;

  constructor(
    private readonly layer: TransactionLayer,
    readonly key: string,
    readonly request: SipRequest,
    readonly target: Endpoint,
    private readonly callbacks: ClientCallbacks,
  ) {}

  start(): void {
    const { t1Ms, t2Ms } = this.layer.timers;
    const invite = this.request.method === 'INVITE';
    this.layer.transmit(this.request, this.target);
    let interval = t1Ms;
    const retransmit = () => {
      if (this.state === 'completed' || this.state === 'terminated') return;
      if (invite && this.state !== 'calling') return;
      this.layer.retransmissions('request');
      this.layer.transmit(this.request, this.target);
      interval = invite ? interval * 2 : Math.min(interval * 2, t2Ms);
      if (!invite && this.state === 'proceeding') interval = t2Ms;
      this.timers.push(setTimeout(retransmit, interval));
    };
    if (this.target.transport !== 'tcp') this.timers.push(setTimeout(retransmit, interval)); // Timer A / E
    this.timers.push(
      setTimeout(() => {
        // Timer B / F
        // An INVITE that got a provisional waits for the TU (ring timeout -> CANCEL) instead.
        if (this.state === 'calling' || (this.state === 'proceeding' && !invite)) {
          this.terminate();
          this.callbacks.onTimeout();
        }
      }, 64 * t1Ms),
    );
  }

  receive(response: SipResponse): void {
    if (this.state === 'terminated') {
      return;
    }
    if (response.status < 200) {
      if (this.state === 'calling' || this.state === 'proceeding') {
        this.state = 'proceeding';
        this.callbacks.onResponse(response);
      }
      return;
    }
    if (this.state === 'completed') {
      // Retransmitted final response: re-send the ACK (INVITE) or ignore.
      if (this.ack) this.layer.transmit(this.ack, this.target);
      return;
    }
    const invite = this.request.method === 'INVITE';
    if (invite && response.status < 300) {
      this.terminate();
      this.callbacks.onResponse(response);
      return;
    }
    this.state = 'completed';
    this.clearTimers();
    if (invite) {
      this.ack = ackForNonSuccess(this.request, response);
      this.layer.transmit(this.ack, this.target);
      this.timers.push(setTimeout(() => this.terminate(), Math.min(32_000, 64 * this.layer.timers.t1Ms))); // Timer D
    } else {
      this.timers.push(setTimeout(() => this.terminate(), this.layer.timers.t4Ms)); // Timer K
    }
    this.callbacks.onResponse(response);
  }

  terminate(): void {
    this.state = 'terminated';
    this.clearTimers();
    this.layer.forgetClient(this.key);
  }

  private clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }
}

/** RFC 3261 §17.1.1.3: the ACK for a non-2xx final response is part of the INVITE transaction. */
function ackForNonSuccess(invite: SipRequest, response: SipResponse): SipRequest {
  const headers: [string, string][] = [
    ['via', invite.headers.get('via')!],
    ['max-forwards', '70'],
    ['from', invite.headers.get('from')!],
    ['to', response.headers.get('to') ?? invite.headers.get('to')!],
    ['call-id', invite.headers.get('call-id')!],
    ['cseq', `${parseCSeq(invite.headers.get('cseq')!).seq} ACK`],
  ];
  for (const r of invite.headers.getAll('route')) headers.push(['route', r]);
  return createRequest('ACK', invite.uri, headers);
}

export class TransactionLayer {
  private readonly servers = new Map<string, ServerTransaction>();
  private readonly clients = new Map<string, ClientTransaction>();

  constructor(
    private readonly send: Send,
    readonly timers: SipTimers,
    private readonly onRetransmit: (kind: 'request' | 'response') => void = () => {},
  ) {}

  get size(): { server: number; client: number } {
    return { server: this.servers.size, client: this.clients.size };
  }

  transmit(message: SipMessage, to: Endpoint): void {
    this.send(message, to);
  }

  retransmissions(kind: 'request' | 'response'): void {
    this.onRetransmit(kind);
  }

  static serverKey(request: SipRequest): string {
    const method = request.method === 'ACK' ? 'INVITE' : request.method;
    return `${branchOf(request)}|${sentByOf(request)}|${method}`;
  }

  /** Returns the existing transaction for a retransmission/ACK (already absorbed), or null. */
  matchServer(request: SipRequest): ServerTransaction | null {
    const txn = this.servers.get(TransactionLayer.serverKey(request));
    if (!txn) return null;
    // An ACK for a 2xx belongs to the dialog, even when the peer reused the INVITE's branch.
    if (request.method === 'ACK' && txn.state === 'accepted') return null;
    if (txn.state === 'accepted') return txn; // retransmitted INVITE: the dialog resends the 2xx
    txn.absorb(request);
    return txn;
  }

  /** The INVITE transaction a CANCEL refers to. */
  findInviteFor(cancel: SipRequest): ServerTransaction | undefined {
    return this.servers.get(`${branchOf(cancel)}|${sentByOf(cancel)}|INVITE`);
  }

  createServer(request: SipRequest, source: Endpoint): ServerTransaction {
    const key = TransactionLayer.serverKey(request);
    const txn = new ServerTransaction(this, key, request, source);
    this.servers.set(key, txn);
    return txn;
  }

  sendRequest(request: SipRequest, target: Endpoint, callbacks: ClientCallbacks): ClientTransaction {
    const key = `${branchOf(request)}|${parseCSeq(request.headers.get('cseq')!).method}`;
    const txn = new ClientTransaction(this, key, request, target, callbacks);
    this.clients.set(key, txn);
    txn.start();
    return txn;
  }

  /** Routes a response to its client transaction; false when none matches (e.g. a 2xx retransmission). */
  receiveResponse(response: SipResponse): boolean {
    const cseq = response.headers.get('cseq');
    if (!cseq) return false;
    const txn = this.clients.get(`${branchOf(response)}|${parseCSeq(cseq).method}`);
    if (!txn) return false;
    txn.receive(response);
    return true;
  }

  forgetServer(key: string): void {
    this.servers.delete(key);
  }

  forgetClient(key: string): void {
    this.clients.delete(key);
  }

  close(): void {
    for (const t of [...this.servers.values()]) t.terminate();
    for (const t of [...this.clients.values()]) t.terminate();
  }
}
