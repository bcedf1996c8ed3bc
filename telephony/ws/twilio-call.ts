import type { WebSocket } from 'ws';
import { mulawDecode, mulawEncode } from '../../engine/audio/g711.ts';
import { VoicebotError } from '../../engine/errors.ts';
import type { CallInfo, HangupEvent, TransferRequest, TransferResult } from '../call-leg.ts';
import { parseTwilioMessage, TwilioEncoder } from '../codecs/twilio.ts';
import { BaseLeg, type BaseLegDeps } from '../leg/base-leg.ts';
import { frameSlab } from '../media/sample-slab.ts';
import { CLOSE } from './close-codes.ts';
import { type TwilioRestSettings, twilioTransfer } from './twilio-transfer.ts';
import { WsConnection, type WsConnectionDeps } from './ws-connection.ts';

/**
 * Twilio's start message carries no phone numbers: the TwiML that opens the stream passes them as
 * `<Parameter name="from" value="{{From}}"/>` (and `to`). Either spelling, From/from, is taken.
 */
export function partyNumbers(params: Readonly<Record<string, string>>): Pick<CallInfo, 'from' | 'to'> {
  const pick = (...keys: string[]) => keys.map((k) => params[k]?.trim()).find((v) => v);
  const from = pick('from', 'From', 'caller', 'Caller');
  const to = pick('to', 'To', 'called', 'Called');
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

/** Close code for each way a call ends from our side. */
export function closeCodeFor(event: HangupEvent): number {
  if (event.reason === 'shutdown') return CLOSE.GOING_AWAY;
  if (event.reason === 'error') return CLOSE.INTERNAL_ERROR;
  return CLOSE.NORMAL;
}

/** ws options for a message built as UTF-8 bytes: a text frame. */
const TEXT_FRAME = { binary: false } as const;

/**
 * A Twilio Media Streams call. Outbound marks go on the wire after the frames they follow and
 * count as played when Twilio echoes them; clear() sends `clear` and reports every outstanding
 * mark as not played at once (Twilio's late echoes of those are ignored).
 */
export class TwilioLeg extends BaseLeg {
  private readonly encoder: TwilioEncoder;
  private readonly mulaw = new Uint8Array(160);
  private outstanding: string[] = [];
  private readonly cleared = new Map<string, number>();
  private transferring = false;

  constructor(
    info: CallInfo,
    deps: BaseLegDeps,
    private readonly ws: WebSocket,
    streamSid: string,
    /** Set when a Twilio auth token is configured: enables transfer via the REST API. */
    private readonly rest?: TwilioRestSettings,
  ) {
    super(info, deps);
    this.encoder = new TwilioEncoder(streamSid);
  }

  override async transfer(request: TransferRequest): Promise<TransferResult> {
    if (!this.rest || !this.info.providerCallId) return super.transfer(request);
    if (!this.active) throw new VoicebotError('CALL_NOT_ACTIVE', 'cannot transfer: the call has ended');
    if (this.transferring) throw new VoicebotError('TRANSFER_FAILED', 'a transfer is already in progress');
    this.transferring = true;
    this.log.info({ pii: { target: request.target } }, 'transfer requested');
    try {
      const result = await twilioTransfer(this.rest, this.info.providerCallId, request);
      this.end('transfer');
      return result;
    } catch (err) {
      this.log.warn(
        { code: (err as VoicebotError).code, message: (err as Error).message },
        'transfer failed',
      );
      throw err;
    } finally {
      this.transferring = false;
    }
  }

  protected writeFrame(samples: Int16Array): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    const out = samples.length === this.mulaw.length ? this.mulaw : new Uint8Array(samples.length);
    this.ws.send(this.encoder.mediaBytes(mulawEncode(samples, out)), TEXT_FRAME);
  }

  protected override markReached(name: string): void {
    this.outstanding.push(name);
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(this.encoder.mark(name));
  }

  protected override takeOutstandingMarks(): string[] {
    const marks = this.outstanding;
    this.outstanding = [];
    for (const name of marks) this.cleared.set(name, (this.cleared.get(name) ?? 0) + 1);
    return marks;
  }

  protected writeClear(): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(this.encoder.clear());
  }

  protected disconnect(event: HangupEvent): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) {
      this.ws.close(closeCodeFor(event), event.reason);
    }
  }

  /** Twilio echoed one of our marks: played, unless we already reported it cleared. */
  markEchoed(name: string): void {
    const i = this.outstanding.indexOf(name);
    if (i >= 0) {
      this.outstanding.splice(i, 1);
      this.emitSafe('mark', { name, played: true });
      return;
    }
    const n = this.cleared.get(name);
    if (n !== undefined) {
      if (n <= 1) this.cleared.delete(name);
      else this.cleared.set(name, n - 1);
      return;
    }
    this.log.debug({ mark: name.slice(0, 60) }, 'echo of an unknown mark ignored');
  }
}

/**
 * Where media payloads are base64-decoded: one buffer for all sockets, since each payload is
 * mu-law-decoded into its own frame before the next message is parsed.
 */
const payloadScratch = Buffer.allocUnsafe(4096);

/** The /twilio socket: waits for `start`, then feeds the leg. */
export class TwilioConnection extends WsConnection {
  constructor(deps: WsConnectionDeps) {
    super('twilio', deps);
  }

  protected onBinary(data: Buffer): void {
    throw new VoicebotError(
      'WS_BINARY_NOT_ALLOWED',
      `binary frame of ${data.byteLength} bytes on /twilio ignored`,
    );
  }

  protected onText(text: string): void {
    const msg = parseTwilioMessage(text, payloadScratch);
    const leg = this.leg as TwilioLeg | null;
    switch (msg.event) {
      case 'connected':
        return;
      case 'start': {
        if (leg) throw new VoicebotError('WS_UNKNOWN_EVENT', 'second start on one stream ignored');
        const { start } = msg;
        const info: CallInfo = {
          callId: this.callId,
          transport: 'twilio',
          // Calls the dialer places through Twilio say so in a <Parameter name="direction">.
          direction: start.customParameters.direction === 'outbound' ? 'outbound' : 'inbound',
          providerCallId: start.callSid,
          ...partyNumbers(start.customParameters),
          parameters: start.customParameters,
          sampleRate: 8000,
        };
        const deps: BaseLegDeps = {
          pacer: this.deps.pacer,
          log: this.log,
          metrics: this.deps.metrics,
          clock: this.deps.clock,
          maxQueuedMs: this.deps.settings.maxOutboundQueueMs,
        };
        const authToken = this.deps.twilioAuthToken;
        const rest =
          authToken && start.accountSid
            ? {
                apiBaseUrl: this.deps.settings.twilioApiBaseUrl,
                accountSid: start.accountSid,
                authToken,
                timeoutMs: this.deps.settings.transferTimeoutMs,
              }
            : undefined;
        this.started(new TwilioLeg(info, deps, this.ws, start.streamSid, rest));
        return;
      }
      case 'media':
        if (!leg) throw new VoicebotError('WS_MEDIA_BEFORE_START', 'media before start ignored');
        if (msg.track !== undefined && msg.track !== 'inbound') return;
        leg.receiveAudio(mulawDecode(msg.payload, frameSlab.take(msg.payload.length)));
        return;
      case 'dtmf':
        if (!leg) throw new VoicebotError('WS_MEDIA_BEFORE_START', 'dtmf before start ignored');
        leg.receiveDtmf({ digit: msg.digit, source: 'signal' });
        return;
      case 'mark':
        if (!leg) throw new VoicebotError('WS_MEDIA_BEFORE_START', 'mark before start ignored');
        leg.markEchoed(msg.name);
        return;
      case 'stop':
        if (leg) leg.end('caller', 'stop');
        else this.close(CLOSE.NORMAL, 'stop');
        return;
    }
  }
}
