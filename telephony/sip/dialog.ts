import { randomBytes } from 'node:crypto';
import type { Logger } from '../../engine/log/logger.ts';
import type { HangupReason, TransferResult } from '../call-leg.ts';
import type { RtpPortAllocator } from '../rtp/port-allocator.ts';
import type { RtpSession } from '../rtp/rtp-session.ts';
import { parseCSeq, parseNameAddr, parseSipUri } from './header-values.ts';
import { createRequest, createResponse, type SipRequest, type SipResponse } from './message.ts';
import { answerDirection, buildSdp, negotiateOffer, SdpError } from './sdp.ts';
import type { SipCallLeg, SipDialogControl } from './sip-call-leg.ts';
import type { Endpoint, ServerTransaction, SipTimers, TransactionLayer } from './transactions.ts';

/** What a dialog needs from its user agent. */
export interface UaContext {
  readonly txns: TransactionLayer;
  readonly timers: SipTimers;
  readonly log: Logger;
  readonly ports: RtpPortAllocator;
  /** `sip:voicebot@host:port` for Contact headers. */
  contactUri(): string;
  viaFor(branch: string, transport?: 'udp' | 'tcp'): string;
  mediaAddress(): string;
  forget(dialog: SipDialog): void;
  transmit(message: SipRequest | SipResponse, to: Endpoint): void;
  readonly referTimeoutMs: number;
}

export const ALLOW = 'INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, NOTIFY';

export function newTag(): string {
  return randomBytes(6).toString('hex');
}

export function newBranch(): string {
  return `z9hG4bK${randomBytes(8).toString('hex')}`;
}

/** Where to send a request for `uri` (IP hosts only; SIP over DNS SRV is out of scope). */
export function endpointOf(uri: string, fallback?: Endpoint): Endpoint {
  try {
    const u = parseSipUri(uri);
    if (/^\d+\.\d+\.\d+\.\d+$/.test(u.host)) return { address: u.host, port: u.port ?? 5060 };
  } catch {
    // tel: or unparsable: use the fallback
  }
  if (fallback) return fallback;
  throw new Error(`cannot route to ${uri}: use a sip: URI with an IPv4 host`);
}

interface PendingRefer {
  resolve(result: TransferResult): void;
  timer: NodeJS.Timeout;
}

/**
 * One confirmed (or early) INVITE dialog (RFC 3261 §12): tags, CSeq, route set and remote target,
 * in-dialog requests both ways, 2xx retransmission until ACK, re-INVITE, BYE and REFER.
 */
export class SipDialog {
  leg: SipCallLeg | null = null;
  state: 'early' | 'confirmed' | 'terminated' = 'early';
  private answerTimer: NodeJS.Timeout | null = null;
  private answerGiveUp: NodeJS.Timeout | null = null;
  private pendingRefer: PendingRefer | null = null;
  private sdpVersion = 1;
  readonly sessionId = Math.floor(Math.random() * 1e9);
  private inviteInProgress = false;

  constructor(
    private readonly ua: UaContext,
    readonly callId: string,
    readonly localTag: string,
    public remoteTag: string,
    /** From/To values for our requests. */
    readonly localUri: string,
    readonly remoteUri: string,
    public remoteTarget: string,
    public routeSet: string[],
    public localSeq: number,
    public remoteSeq: number,
    readonly peer: Endpoint,
    readonly rtp: RtpSession,
    readonly log: Logger,
  ) {}

  get key(): string {
    return `${this.callId}|${this.localTag}|${this.remoteTag}`;
  }

  private target(): Endpoint {
    // Over TCP, in-dialog requests reuse the connection the call came in on.
    if (this.peer.transport === 'tcp') return this.peer;
    const first = this.routeSet[0];
    return endpointOf(first ? parseNameAddr(first).uri : this.remoteTarget, this.peer);
  }

  /** Sends an in-dialog request; resolves with the final response (a local 408 on timeout). */
  request(method: string, extra: [string, string][] = [], body = ''): Promise<SipResponse> {
    const cseq = method === 'ACK' ? this.localSeq : ++this.localSeq;
    const headers: [string, string][] = [
      ['via', this.ua.viaFor(newBranch(), this.peer.transport)],
      ['max-forwards', '70'],
      ['from', `<${this.localUri}>;tag=${this.localTag}`],
      ['to', `<${this.remoteUri}>;tag=${this.remoteTag}`],
      ['call-id', this.callId],
      ['cseq', `${cseq} ${method}`],
      ['contact', `<${this.ua.contactUri()}>`],
      ...this.routeSet.map((r): [string, string] => ['route', r]),
      ...extra,
    ];
    const req = createRequest(method, this.remoteTarget, headers, body);
    return new Promise((resolve) => {
      this.ua.txns.sendRequest(req, this.target(), {
        onResponse: (res) => {
          if (res.status >= 200) resolve(res);
        },
        onTimeout: () => resolve(createResponse(req, 408)),
      });
    });
  }

  /** UAS: sends the 2xx and retransmits it (T1 doubling to T2) until the ACK comes (Timer 64*T1). */
  sendAnswer(txn: ServerTransaction, response: SipResponse): void {
    txn.respond(response);
    this.state = 'confirmed';
    let interval = this.ua.timers.t1Ms;
    const resend = () => {
      this.ua.transmit(response, txn.source);
      interval = Math.min(interval * 2, this.ua.timers.t2Ms);
      this.answerTimer = setTimeout(resend, interval);
    };
    this.answerTimer = setTimeout(resend, interval);
    this.answerGiveUp = setTimeout(() => {
      this.log.warn('no ACK for our 200 OK within 64*T1: ending the call');
      this.bye();
      this.terminate('timeout', 'no ACK');
    }, 64 * this.ua.timers.t1Ms);
  }

  private stopAnswer(): void {
    if (this.answerTimer) clearTimeout(this.answerTimer);
    if (this.answerGiveUp) clearTimeout(this.answerGiveUp);
    this.answerTimer = null;
    this.answerGiveUp = null;
  }

  /** Handles an in-dialog request (never the initial INVITE). */
  handle(req: SipRequest, txn: ServerTransaction | null): void {
    if (req.method === 'ACK') {
      this.stopAnswer();
      return;
    }
    if (!txn) return;
    const seq = parseCSeq(req.headers.get('cseq')!).seq;
    if (seq < this.remoteSeq && req.method !== 'CANCEL') {
      txn.respond(createResponse(req, 500, { reason: 'CSeq Out of Order' }));
      return;
    }
    this.remoteSeq = seq;
    switch (req.method) {
      case 'BYE':
        txn.respond(createResponse(req, 200));
        this.terminate('caller');
        return;
      case 'INVITE':
        this.reinvite(req, txn);
        return;
      case 'OPTIONS':
        txn.respond(createResponse(req, 200, { headers: [['allow', ALLOW]] }));
        return;
      case 'INFO':
        this.info(req, txn);
        return;
      case 'NOTIFY':
        this.notify(req, txn);
        return;
      default:
        txn.respond(createResponse(req, 405, { headers: [['allow', ALLOW]] }));
    }
  }

  private reinvite(req: SipRequest, txn: ServerTransaction): void {
    if (this.inviteInProgress || this.answerTimer) {
      txn.respond(createResponse(req, 491));
      return;
    }
    const contact = req.headers.get('contact');
    if (contact) this.remoteTarget = parseNameAddr(contact).uri;
    if (req.body.length === 0) {
      // Offerless re-INVITE (session refresh): offer our current SDP.
      this.sendAnswer(txn, this.answerResponse(req, 'sendrecv', this.rtp.payloadType));
      return;
    }
    try {
      const sel = negotiateOffer(req.body.toString('utf8'));
      const remote = { address: sel.remoteAddress, port: sel.remotePort };
      const moved =
        remote.address !== '0.0.0.0' &&
        (remote.address !== this.rtp.remoteEndpoint.address || remote.port !== this.rtp.remoteEndpoint.port);
      if (moved) this.rtp.relatch(remote);
      const dir = answerDirection(sel.remoteDirection);
      this.leg?.updateMedia(sel.law, sel.payloadType, dir === 'sendrecv' || dir === 'sendonly');
      this.rtp.dtmfPayloadType = sel.dtmfPayloadType;
      this.log.info({ direction: sel.remoteDirection, moved }, 're-INVITE');
      this.sendAnswer(txn, this.answerResponse(req, dir, sel.payloadType, sel.law, sel.dtmfPayloadType));
    } catch (err) {
      const status = err instanceof SdpError ? 488 : 500;
      txn.respond(
        createResponse(req, status, { headers: [['warning', `399 voicebot "${(err as Error).message}"`]] }),
      );
    }
  }

  answerResponse(
    req: SipRequest,
    direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive',
    pt: number,
    law: 'mulaw' | 'alaw' = pt === 8 ? 'alaw' : 'mulaw',
    dtmfPt = this.rtp.dtmfPayloadType,
  ): SipResponse {
    const sdp = buildSdp({
      address: this.ua.mediaAddress(),
      port: this.rtp.localPort,
      sessionId: this.sessionId,
      version: this.sdpVersion++,
      formats: [{ pt, law }],
      dtmfPayloadType: dtmfPt,
      direction,
    });
    return createResponse(req, 200, {
      toTag: this.localTag,
      headers: [
        ['contact', `<${this.ua.contactUri()}>`],
        ['allow', ALLOW],
        ['content-type', 'application/sdp'],
      ],
      body: sdp,
    });
  }

  private info(req: SipRequest, txn: ServerTransaction): void {
    const type = (req.headers.get('content-type') ?? '').toLowerCase();
    if (type.startsWith('application/dtmf-relay')) {
      const signal = /Signal\s*=\s*([0-9*#A-Da-d])/.exec(req.body.toString('utf8'));
      const duration = /Duration\s*=\s*(\d+)/.exec(req.body.toString('utf8'));
      if (signal) {
        this.leg?.emit('dtmf', {
          digit: signal[1]!.toUpperCase(),
          source: 'sip-info',
          durationMs: duration ? Number(duration[1]) : undefined,
        });
      }
      txn.respond(createResponse(req, 200));
      return;
    }
    txn.respond(
      req.body.length
        ? createResponse(req, 415, { headers: [['accept', 'application/dtmf-relay']] })
        : createResponse(req, 200),
    );
  }

  private notify(req: SipRequest, txn: ServerTransaction): void {
    const event = (req.headers.get('event') ?? '').toLowerCase();
    if (!event.startsWith('refer') || !this.pendingRefer) {
      txn.respond(createResponse(req, 481));
      return;
    }
    txn.respond(createResponse(req, 200));
    const frag = /^SIP\/2\.0\s+(\d{3})\s*(.*)$/im.exec(req.body.toString('utf8'));
    const terminated = /^terminated/i.test(req.headers.get('subscription-state') ?? '');
    const status = frag ? Number(frag[1]) : 0;
    this.log.info({ status, terminated }, 'transfer progress');
    if (status >= 200 && status < 300) this.finishRefer({ ok: true, detail: `${status} ${frag![2]}`.trim() });
    else if (status >= 300) this.finishRefer({ ok: false, detail: `${status} ${frag![2]}`.trim() });
    else if (terminated) this.finishRefer({ ok: false, detail: 'subscription ended without a final status' });
  }

  private finishRefer(result: TransferResult): void {
    const pending = this.pendingRefer;
    if (!pending) return;
    this.pendingRefer = null;
    clearTimeout(pending.timer);
    pending.resolve(result);
  }

  /** Blind transfer (RFC 3515): REFER, 202, NOTIFY sipfrag until a final status, then BYE on success. */
  async refer(target: string): Promise<TransferResult> {
    if (this.state !== 'confirmed') return { ok: false, detail: 'call not connected' };
    if (this.pendingRefer) return { ok: false, detail: 'a transfer is already in progress' };
    let referTo = target.trim();
    const tel = /^tel:([+0-9*#-]+)/i.exec(referTo);
    if (tel) {
      // Trunks route sip: URIs; send the number to the host the call came from.
      const host = this.peer.address;
      referTo = `sip:${tel[1]!.replace(/-/g, '')}@${host}`;
    }
    if (!/^sips?:/i.test(referTo)) return { ok: false, detail: `unsupported transfer target ${target}` };
    const outcome = new Promise<TransferResult>((resolve) => {
      this.pendingRefer = {
        resolve,
        timer: setTimeout(
          () => this.finishRefer({ ok: false, detail: 'no final NOTIFY in time' }),
          this.ua.referTimeoutMs,
        ),
      };
    });
    const res = await this.request('REFER', [
      ['refer-to', `<${referTo}>`],
      ['referred-by', `<${this.localUri}>`],
      ['event', 'refer'],
    ]);
    if (res.status >= 300)
      this.finishRefer({ ok: false, detail: `REFER refused: ${res.status} ${res.reason}` });
    const result = await outcome;
    if (result.ok && this.state === 'confirmed') {
      this.bye();
      this.terminate('transfer', result.detail);
    }
    return result;
  }

  /** How the leg reaches back: its end sends BYE (unless the dialog already ended) and tears down. */
  control(): SipDialogControl {
    return {
      closed: (event) => {
        if (this.state === 'terminated') return;
        this.bye();
        this.terminate(event.reason, event.detail);
      },
      refer: (target) => this.refer(target),
    };
  }

  /** Sends BYE (fire and forget: the call is over for us either way). */
  bye(): void {
    if (this.state === 'terminated') return;
    this.stopAnswer();
    void this.request('BYE');
  }

  terminate(reason: HangupReason, detail?: string): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.stopAnswer();
    this.finishRefer({ ok: false, detail: 'call ended' });
    this.leg?.end(reason, detail);
    this.rtp.close();
    this.ua.ports.release(this.rtp.localPort, this.rtp.socket);
    this.ua.forget(this);
  }
}
