import { randomBytes, randomUUID } from 'node:crypto';
import type { AudioFrame } from '../../engine/audio/frame.ts';
import { alawDecode, mulawDecode } from '../../engine/audio/g711.ts';
import { VoicebotError } from '../../engine/errors.ts';
import type { CallInfo } from '../call-leg.ts';
import type { RtpPacket } from '../rtp/packet.ts';
import { RtpSession } from '../rtp/rtp-session.ts';
import { endpointOf, newBranch, newTag, SipDialog } from './dialog.ts';
import { type DigestCredentials, digestAuthorization } from './digest.ts';
import { type Disposition, dispositionForStatus } from './disposition.ts';
import { parseCSeq, parseNameAddr, parseSipUri, tagOf } from './header-values.ts';
import { type CancelReason, sendInvite } from './invite-client.ts';
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
  /** Progress: 180/183 (with `earlyMedia` when 183 carried SDP). */
  onProgress?: (status: number, earlyMedia: boolean) => void;
  /**
   * Early media (after a 183 with SDP, until the answer), decoded to 8 kHz PCM; media time
   * starts at 0 with the first packet. For call-progress analysis (SIT); AMD starts at the answer.
   */
  onEarlyAudio?: (frame: AudioFrame) => void;
  /**
   * Aborting gives the call up: CANCEL once a provisional response has come (before one, the
   * CANCEL waits for it; none at all -> Timer B). A 2xx that crosses the CANCEL is ACKed and
   * hung up with BYE at once. The result then has `cancelled: 'aborted'`.
   */
  signal?: AbortSignal;
}

export interface OutboundCallResult {
  disposition: Disposition;
  /** Final SIP status (0 when no response came at all). */
  status: number;
  reason: string;
  earlyMedia: boolean;
  /** Milliseconds of early-media audio received before the final response. */
  earlyAudioMs: number;
  /** Set when we gave the call up (CANCEL sent or wanted): ring timeout, abort or shutdown. */
  cancelled?: CancelReason;
  /** Present when answered; the call handler (if any) already runs on it. */
  leg?: SipCallLeg;
}

/**
 * Places one call (RFC 3261 UAC): INVITE with our SDP offer, digest auth on 401/407 (once),
 * early media on 183, CANCEL at the ring timeout or on abort (invite-client.ts), ACK for the
 * 2xx, then a SipCallLeg. Every ending maps to a dialer disposition; RTP ports are released on
 * every path but "answered".
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
  if (options.signal?.aborted)
    return {
      disposition: 'no-answer',
      status: 0,
      reason: 'aborted before the INVITE',
      earlyMedia: false,
      earlyAudioMs: 0,
      cancelled: 'aborted',
    };
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

  let earlyAudioSamples = 0;
  let cancelled: CancelReason | null = null;
  const finish = (result: Omit<OutboundCallResult, 'earlyMedia' | 'earlyAudioMs'>): OutboundCallResult => {
    ua.pendingOutbound--;
    ua.metrics?.sipOutboundResults.inc({ disposition: result.disposition });
    rtp?.off('payload', onEarlyPayload);
    if (!result.leg) {
      rtp?.close();
      release();
    }
    log.info({ disposition: result.disposition, status: result.status, cancelled }, 'outbound call result');
    return {
      ...result,
      earlyMedia,
      earlyAudioMs: Math.round(earlyAudioSamples / 8),
      ...(cancelled ? { cancelled } : {}),
    };
  };

  const onEarlyPayload = (p: RtpPacket) => {
    const samples = p.payloadType === 8 ? alawDecode(p.payload) : mulawDecode(p.payload);
    const frame: AudioFrame = { samples, sampleRate: 8000, timestampMs: earlyAudioSamples / 8 };
    earlyAudioSamples += samples.length;
    options.onEarlyAudio?.(frame);
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

  const onProvisional = (res: SipResponse) => {
    const withSdp = res.status === 183 && res.body.length > 0;
    if (withSdp) {
      try {
        const session = ensureRtp(res.body.toString('utf8'));
        if (!earlyMedia) session.on('payload', onEarlyPayload);
        earlyMedia = true;
      } catch (err) {
        log.warn({ problem: (err as Error).message }, 'unusable early-media SDP');
      }
    }
    if (res.status > 100) options.onProgress?.(res.status, withSdp && earlyMedia);
  };

  let invite = build();
  for (;;) {
    const outcome = await sendInvite(ua, invite, target, {
      ringTimeoutMs: options.ringTimeoutMs ?? 30_000,
      ...(options.signal ? { signal: options.signal } : {}),
      onProvisional,
      log,
    });
    cancelled = outcome.cancelled;
    const res = outcome.response;
    if (!res) {
      if (!cancelled)
        return finish({ disposition: 'congestion', status: 0, reason: 'no response (timeout)' });
      return finish({
        disposition: 'no-answer',
        status: 0,
        reason:
          cancelled === 'shutdown'
            ? 'shut down while ringing'
            : outcome.cancelSent
              ? 'no final response after CANCEL'
              : 'no provisional response to CANCEL after (Timer B)',
      });
    }
    if ((res.status === 401 || res.status === 407) && options.credentials && !authTried && !cancelled) {
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
    if (cancelled && (res.status === 401 || res.status === 407))
      return finish({
        disposition: 'no-answer',
        status: 0,
        reason: `given up at the ${res.status} challenge`,
      });
    if (res.status >= 300)
      return finish({
        disposition: dispositionForStatus(res.status),
        status: res.status,
        reason: res.reason,
      });
    return connect(res);
  }

  /** 2xx: ACK it (a new transaction), then build the dialog and the leg, or hang up at once. */
  function connect(res: SipResponse): OutboundCallResult {
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
    rtp?.off('payload', onEarlyPayload);
    const media =
      session ??
      rtp ??
      new RtpSession(allocated.socket, allocated.port, { address: target.address, port: 0 }, 0, undefined);
    rtp = media;
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
      media,
      log,
    );
    const ack = () => sendAck(ua, dialog, cseq);
    ack();
    // Retransmitted 2xx (our ACK was lost): ACK again.
    const stray = (r: SipResponse) => {
      if (r.headers.get('call-id') !== callId || r.status < 200 || r.status >= 300) return false;
      if (parseCSeq(r.headers.get('cseq') ?? '').method !== 'INVITE') return false;
      ack();
      return true;
    };
    ua.strayResponseHandlers.add(stray);
    setTimeout(() => ua.strayResponseHandlers.delete(stray), 64 * ua.timers.t1Ms).unref();
    const hangUpAtOnce = (
      reason: string,
      result: Omit<OutboundCallResult, 'earlyMedia' | 'earlyAudioMs' | 'status'>,
    ) => {
      log.warn({ problem: reason }, 'hanging up the answered call at once');
      dialog.state = 'confirmed';
      dialog.bye();
      dialog.state = 'terminated';
      return finish({ ...result, status: res.status });
    };
    if (!session || sdpProblem)
      return hangUpAtOnce(`answer SDP unusable: ${sdpProblem}`, {
        disposition: 'failed',
        reason: `bad answer SDP: ${sdpProblem}`,
      });
    // A 2xx that crossed our CANCEL (RFC 3261 §9.1): after an abort nobody wants the call, so
    // ACK + BYE. At the ring timeout the callee picked up just in time: the call goes on.
    if (cancelled === 'aborted' || cancelled === 'shutdown')
      return hangUpAtOnce('answered after CANCEL', {
        disposition: 'no-answer',
        reason: 'answered after CANCEL: ACK + BYE',
      });
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
    return finish({ disposition: 'answered', status: res.status, reason: res.reason, leg });
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
