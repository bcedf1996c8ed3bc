import { randomUUID } from 'node:crypto';
import type { RtpPortAllocator } from '../rtp/port-allocator.ts';
import { RtpSession } from '../rtp/rtp-session.ts';
import { newTag, SipDialog } from './dialog.ts';
import { parseCSeq, parseNameAddr } from './header-values.ts';
import { createResponse, type SipRequest } from './message.ts';
import { negotiateOffer, SdpError } from './sdp.ts';
import type { Endpoint, ServerTransaction } from './transactions.ts';
import type { SipUserAgent } from './user-agent.ts';

const SUPPORTED_EXTENSIONS = new Set(['timer', 'replaces', 'norefersub']);

/**
 * The UAS side of new calls: admission (INVITE rate and call limits -> 503, Require -> 420,
 * SDP -> 488), 100/180/200 with the SDP answer after `ringMs`, and CANCEL before the answer
 * (200 + 487, RTP port released).
 */
export class InviteHandler {
  /** INVITEs not answered yet, by server transaction key. */
  readonly ringing = new Map<string, { dialog: SipDialog; timer: NodeJS.Timeout | null }>();
  private inviteTokens: number;
  private lastRefill = performance.now();

  constructor(private readonly ua: SipUserAgent) {
    this.inviteTokens = ua.options.maxInvitesPerSecond ?? 50;
  }

  onCancel(cancel: SipRequest, txn: ServerTransaction): void {
    const invite = this.ua.txns.findInviteFor(cancel);
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
    const rate = this.ua.options.maxInvitesPerSecond ?? 50;
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
    this.ua.metrics?.sipRejectedInvites.inc({ reason });
    this.ua.log.info({ status, reason, warning }, 'INVITE refused');
    txn.respond(
      createResponse(txn.request, status, {
        toTag: newTag(),
        headers: [['warning', `399 voicebot "${warning.replace(/"/g, "'")}"`], ...extra],
      }),
    );
  }

  async onInvite(req: SipRequest, txn: ServerTransaction, source: Endpoint): Promise<void> {
    txn.respond(createResponse(req, 100));
    if (!this.takeInviteToken())
      return this.reject(txn, 503, 'rate', 'too many new calls per second', [['retry-after', '5']]);
    if (this.ua.activeCalls >= (this.ua.options.maxCalls ?? 500))
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
      allocated = await this.ua.ports.allocate();
    } catch (err) {
      return this.reject(txn, 503, 'ports', (err as Error).message, [['retry-after', '10']]);
    }
    if (txn.cancelled || this.ua.isClosed) {
      this.ua.ports.release(allocated.port, allocated.socket);
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
    const log = this.ua.log.child({ callId: id, sipCallId: callId });
    const dialog = new SipDialog(
      this.ua,
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
      createResponse(req, 180, {
        toTag: dialog.localTag,
        headers: [['contact', `<${this.ua.contactUri()}>`]],
      }),
    );
    const answer = () => {
      this.ringing.delete(txn.key);
      if (txn.cancelled || this.ua.isClosed) return;
      const response = dialog.answerResponse(
        req,
        'sendrecv',
        selection.payloadType,
        selection.law,
        selection.dtmfPayloadType,
      );
      this.ua.register(dialog);
      dialog.sendAnswer(txn, response);
      this.ua.startLeg(
        dialog,
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
        selection.law,
      );
    };
    const ringMs = this.ua.options.ringMs ?? 0;
    const entry = { dialog, timer: null as NodeJS.Timeout | null };
    this.ringing.set(txn.key, entry);
    if (ringMs > 0) entry.timer = setTimeout(answer, ringMs);
    else answer();
  }
}
