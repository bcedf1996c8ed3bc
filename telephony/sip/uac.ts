import { randomBytes, randomUUID } from 'node:crypto';
import { VoicebotError } from '../../engine/errors.ts';
import type { CallInfo } from '../call-leg.ts';
import { RtpSession } from '../rtp/rtp-session.ts';
import { endpointOf, newBranch, newTag, SipDialog } from './dialog.ts';
import { type DigestCredentials, digestAuthorization } from './digest.ts';
import { type Disposition, dispositionForStatus } from './disposition.ts';
import { parseCSeq, parseNameAddr, parseSipUri, tagOf } from './header-values.ts';
import { createRequest, type SipRequest, type SipResponse } from './message.ts';
import { buildOffer, readAnswer, SdpError } from './sdp.ts';
import type { SipCallLeg } from './sip-call-leg.ts';
import type { Endpoint } from './transactions.ts';
import type { SipUserAgent } from './user-agent.ts';

export interface OutboundCallOptions {
  /** `sip:+15551234@192.0.2.10:5060` (IPv4 host) or a user part with `proxy` set. */
  to: string;
  /** From URI; default `sip:voicebot@<our address>`. */
  from?: string;
  /** Send the INVITE here instead of the Request-URI's host (an outbound proxy / trunk). */
  proxy?: Endpoint;
  credentials?: DigestCredentials;
  /** CANCEL when no answer within this time (default 30 s). */
  ringTimeoutMs?: number;
  headers?: [string, string][];
  parameters?: Record<string, string>;
  /** Progress: 180/183 (with `earlyMedia` when 183 carried SDP; audio then flows on `leg`). */
  onProgress?: (status: number, earlyMedia: boolean) => void;
}

export interface OutboundCallResult {
  disposition: Disposition;
  /** Final SIP status (0 when no response came at all). */
  status: number;
  reason: string;
  earlyMedia: boolean;
  /** Present when answered; the call handler (if any) already runs on it. */
  leg?: SipCallLeg;
}

/**
 * Places one call (RFC 3261 UAC): INVITE with our SDP offer, digest auth on 401/407 (once),
 * early media on 183, CANCEL at the ring timeout, ACK for the 2xx, then a SipCallLeg. Every
 * ending maps to a dialer disposition; RTP ports are released on every path but "answered".
 */
export async function placeCall(ua: SipUserAgent, options: OutboundCallOptions): Promise<OutboundCallResult> {
  const requestUri = options.to.trim();
  let target: Endpoint;
  try {
    parseSipUri(requestUri);
    target = options.proxy ?? endpointOf(requestUri);
  } catch (err) {
    throw new VoicebotError(
      'SIP_BAD_TARGET',
      `cannot call ${JSON.stringify(options.to)}: ${(err as Error).message}`,
    );
  }
  let allocated: Awaited<ReturnType<typeof ua.ports.allocate>>;
  try {
    allocated = await ua.ports.allocate();
  } catch (err) {
    throw new VoicebotError('RTP_PORTS_EXHAUSTED', (err as Error).message);
  }
  ua.pendingOutbound++;
  const release = () => ua.ports.release(allocated.port, allocated.socket);
  const callId = `${randomBytes(12).toString('hex')}@${ua.endpoint.address}`;
  const localTag = newTag();
  const fromUri = options.from ?? `sip:voicebot@${ua.endpoint.address}`;
  const sessionId = Math.floor(Math.random() * 1e9);
  const offer = buildOffer(ua.mediaAddress(), allocated.port, sessionId);
  const id = randomUUID();
  const log = ua.log.child({ callId: id, sipCallId: callId });
  log.info({ pii: { to: requestUri } }, 'outbound call');
  let cseq = 1;
  let earlyMedia = false;
  let rtp: RtpSession | null = null;
  let authTried = false;

  const build = (auth?: [string, string]): SipRequest =>
    createRequest(
      'INVITE',
      requestUri,
      [
        ['via', ua.viaFor(newBranch())],
        ['max-forwards', '70'],
        ['from', `<${fromUri}>;tag=${localTag}`],
        ['to', `<${requestUri}>`],
        ['call-id', callId],
        ['cseq', `${cseq} INVITE`],
        ['contact', `<${ua.contactUri()}>`],
        ['allow', 'INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, NOTIFY'],
        ['content-type', 'application/sdp'],
        ...(auth ? [auth] : []),
        ...(options.headers ?? []),
      ],
      offer,
    );

  const finish = (result: OutboundCallResult): OutboundCallResult => {
    ua.pendingOutbound--;
    ua.metrics?.sipOutboundResults.inc({ disposition: result.disposition });
    if (!result.leg) {
      rtp?.close();
      release();
    }
    log.info({ disposition: result.disposition, status: result.status }, 'outbound call result');
    return result;
  };

  const ensureRtp = (sdp: string): RtpSession => {
    const sel = readAnswer(sdp);
    const remote = { address: sel.remoteAddress, port: sel.remotePort };
    if (!rtp)
      rtp = new RtpSession(allocated.socket, allocated.port, remote, sel.payloadType, sel.dtmfPayloadType);
    else {
      rtp.relatch(remote);
      rtp.payloadType = sel.payloadType;
      rtp.dtmfPayloadType = sel.dtmfPayloadType;
    }
    return rtp;
  };

  let invite = build();
  for (;;) {
    const outcome = await new Promise<SipResponse | null>((resolve) => {
      let ringTimer: NodeJS.Timeout | null = null;
      let provisional = false;
      let cancelWanted = false;
      const sendCancel = () => {
        const cancel = createRequest('CANCEL', invite.uri, [
          ['via', invite.headers.get('via')!],
          ['max-forwards', '70'],
          ['from', invite.headers.get('from')!],
          ['to', invite.headers.get('to')!],
          ['call-id', callId],
          ['cseq', `${parseCSeq(invite.headers.get('cseq')!).seq} CANCEL`],
        ]);
        log.info('ring timeout: CANCEL');
        ua.txns.sendRequest(cancel, target, { onResponse: () => {}, onTimeout: () => {} });
      };
      ringTimer = setTimeout(() => {
        cancelWanted = true;
        if (provisional) sendCancel(); // RFC 3261 §9.1: only after a provisional response
      }, options.ringTimeoutMs ?? 30_000);
      ua.txns.sendRequest(invite, target, {
        onResponse: (res) => {
          if (res.status < 200) {
            if (!provisional && cancelWanted) sendCancel();
            provisional = true;
            const withSdp = res.status === 183 && res.body.length > 0;
            if (withSdp) {
              try {
                ensureRtp(res.body.toString('utf8'));
                earlyMedia = true;
              } catch (err) {
                log.warn({ problem: (err as Error).message }, 'unusable early-media SDP');
              }
            }
            if (res.status > 100) options.onProgress?.(res.status, withSdp && earlyMedia);
            return;
          }
          if (ringTimer) clearTimeout(ringTimer);
          resolve(res);
        },
        onTimeout: () => {
          if (ringTimer) clearTimeout(ringTimer);
          resolve(null);
        },
      });
    });
    if (!outcome)
      return finish({ disposition: 'congestion', status: 0, reason: 'no response (timeout)', earlyMedia });
    const res = outcome;
    if ((res.status === 401 || res.status === 407) && options.credentials && !authTried) {
      authTried = true;
      const challenge = res.headers.get(res.status === 401 ? 'www-authenticate' : 'proxy-authenticate');
      if (challenge) {
        try {
          const value = digestAuthorization({
            method: 'INVITE',
            uri: requestUri,
            challenge,
            credentials: options.credentials,
          });
          cseq++;
          invite = build([res.status === 401 ? 'authorization' : 'proxy-authorization', value]);
          continue;
        } catch (err) {
          log.warn({ problem: (err as Error).message }, 'cannot answer the auth challenge');
        }
      }
    }
    if (res.status >= 300)
      return finish({
        disposition: dispositionForStatus(res.status),
        status: res.status,
        reason: res.reason,
        earlyMedia,
      });
    // 2xx: ACK it (a new transaction), then build the dialog.
    const remoteTag = tagOf(res.headers.get('to')) ?? '';
    const contact = res.headers.get('contact');
    const remoteTarget = contact ? parseNameAddr(contact).uri : requestUri;
    const routeSet = res.headers.getAll('record-route').reverse();
    let session: RtpSession | null = null;
    let sdpProblem: string | null = null;
    try {
      session = ensureRtp(res.body.toString('utf8'));
    } catch (err) {
      sdpProblem = err instanceof SdpError ? err.message : String(err);
    }
    rtp ??= new RtpSession(
      allocated.socket,
      allocated.port,
      { address: target.address, port: 0 },
      0,
      undefined,
    );
    const dialog = new SipDialog(
      ua,
      callId,
      localTag,
      remoteTag,
      fromUri,
      requestUri,
      remoteTarget,
      routeSet,
      cseq,
      0,
      target,
      session ?? rtp,
      log,
    );
    const ack = () => sendAck(ua, dialog, cseq);
    ack();
    // Retransmitted 2xx (our ACK was lost): ACK again.
    const stray = (r: SipResponse) => {
      if (r.headers.get('call-id') !== callId || r.status < 200 || r.status >= 300) return false;
      if (parseCSeq(r.headers.get('cseq') ?? '').method !== 'INVITE') return false;
      if (dialog.state !== 'terminated') ack();
      return true;
    };
    ua.strayResponseHandlers.add(stray);
    setTimeout(() => ua.strayResponseHandlers.delete(stray), 64 * ua.timers.t1Ms).unref();
    if (!session || sdpProblem) {
      log.warn({ problem: sdpProblem }, 'answer SDP unusable: hanging up');
      dialog.state = 'confirmed';
      dialog.bye();
      dialog.state = 'terminated';
      return finish({
        disposition: 'failed',
        status: res.status,
        reason: `bad answer SDP: ${sdpProblem}`,
        earlyMedia,
      });
    }
    dialog.state = 'confirmed';
    ua.register(dialog);
    const info: CallInfo = {
      callId: id,
      transport: 'sip',
      direction: 'outbound',
      from: fromUri,
      to: requestUri,
      providerCallId: callId,
      parameters: options.parameters ?? {},
      sampleRate: 8000,
    };
    const leg = ua.startLeg(dialog, info, session.payloadType === 8 ? 'alaw' : 'mulaw');
    const result = finish({
      disposition: 'answered',
      status: res.status,
      reason: res.reason,
      earlyMedia,
      leg,
    });
    return result;
  }
}

function sendAck(ua: SipUserAgent, dialog: SipDialog, cseq: number): void {
  const ack = createRequest('ACK', dialog.remoteTarget, [
    ['via', ua.viaFor(newBranch())],
    ['max-forwards', '70'],
    ['from', `<${dialog.localUri}>;tag=${dialog.localTag}`],
    ['to', `<${dialog.remoteUri}>;tag=${dialog.remoteTag}`],
    ['call-id', dialog.callId],
    ['cseq', `${cseq} ACK`],
    ...dialog.routeSet.map((r): [string, string] => ['route', r]),
  ]);
  const first = dialog.routeSet[0];
  ua.transmit(ack, endpointOf(first ? parseNameAddr(first).uri : dialog.remoteTarget, dialog.peer));
}
