/**
 * Stable error codes. Every error the engine raises or logs carries one of these codes, a
 * `retryable` flag and a hint telling the operator how to fix it. The table is the single
 * source of truth and is mirrored in docs/errors.md (a test keeps the two in step).
 */
export const ERROR_CODES = {
  CONFIG_INVALID: { retryable: false, hint: 'fix the named setting (env var or config file) and restart' },
  CONFIG_FILE_UNREADABLE: { retryable: false, hint: 'check the path given with --config / VOICEBOT_CONFIG' },
  AUTH_MISSING: { retryable: false, hint: 'send a token (?token=) or the X-Twilio-Signature header' },
  AUTH_INVALID: {
    retryable: false,
    hint: 'the credential did not verify: check the shared secret / auth token',
  },
  AUTH_EXPIRED: { retryable: false, hint: 'mint a fresh token; check the clocks of both machines' },
  WS_BAD_JSON: { retryable: false, hint: 'text frames must be one JSON object each' },
  WS_UNKNOWN_EVENT: { retryable: false, hint: 'see docs/protocols.md for the events this protocol accepts' },
  WS_MEDIA_BEFORE_START: { retryable: false, hint: 'send the start/metadata message before any audio' },
  WS_BAD_PAYLOAD: { retryable: false, hint: 'audio payloads must be whole samples of the negotiated format' },
  WS_BINARY_NOT_ALLOWED: {
    retryable: false,
    hint: 'this protocol carries audio as base64 in JSON text frames',
  },
  WS_TEXT_NOT_ALLOWED: { retryable: false, hint: 'send control messages as JSON text frames' },
  WS_MESSAGE_TOO_LARGE: { retryable: false, hint: 'keep each message under the configured maxMessageBytes' },
  WS_FLOOD: { retryable: true, hint: 'send at most the configured messages per second (audio is real time)' },
  WS_UNKNOWN_PATH: { retryable: false, hint: 'connect to /twilio or /raw (see README)' },
  WS_BAD_START: { retryable: false, hint: 'the start message lacks required fields; see docs/protocols.md' },
  WS_UNSUPPORTED_MEDIA: {
    retryable: false,
    hint: 'twilio: audio/x-mulaw 8000 Hz mono; raw: L16 at sampleRate 8000 or 16000',
  },
  WS_START_TIMEOUT: {
    retryable: true,
    hint: 'send start (twilio) or the metadata frame (raw) right after connecting',
  },
  WS_BAD_FRAME: {
    retryable: false,
    hint: 'the peer broke WebSocket framing (RFC 6455), e.g. text that is not UTF-8: fix the client library',
  },
  WS_AT_CAPACITY: {
    retryable: true,
    hint: 'the gateway is at gateway.maxCalls: retry later or add capacity',
  },
  MEDIA_QUEUE_FULL: {
    retryable: false,
    hint: 'outbound audio beyond gateway.maxOutboundQueueMs was dropped: queue less ahead of playback',
  },
  CALL_NOT_ACTIVE: { retryable: false, hint: 'the call has already ended' },
  TRANSFER_UNSUPPORTED: {
    retryable: false,
    hint: 'this transport cannot transfer; configure an agent target',
  },
  TRANSFER_FAILED: { retryable: true, hint: 'the transfer target did not answer; try another agent' },
  AUDIO_BAD_FORMAT: { retryable: false, hint: 'use PCM16 mono WAV, or G.711 at 8 kHz' },
  AUDIO_BAD_RATE: { retryable: false, hint: 'supported sample rates are 8000 and 16000 Hz' },
  ASR_UNAVAILABLE: {
    retryable: true,
    hint: 'the speech recognizer cannot be reached: check its address and that it runs (see docs/speech-network.md)',
  },
  ASR_TIMEOUT: {
    retryable: true,
    hint: 'the recognizer did not answer in time: check its load or raise the timeout',
  },
  ASR_BAD_REQUEST: {
    retryable: false,
    hint: 'the recognizer refused the request: check encoding, sample rate and language',
  },
  ASR_FAILED: { retryable: true, hint: 'the recognizer failed mid-stream: see its own log' },
  TTS_UNAVAILABLE: {
    retryable: true,
    hint: 'the speech synthesizer cannot be reached: check its address and that it runs',
  },
  TTS_TIMEOUT: {
    retryable: true,
    hint: 'the synthesizer did not answer in time: check its load or raise the timeout',
  },
  TTS_BAD_REQUEST: {
    retryable: false,
    hint: 'the synthesizer refused the request: check voice, language and sample rate',
  },
  TTS_FAILED: { retryable: true, hint: 'the synthesizer failed mid-stream: see its own log' },
  SPEECH_CIRCUIT_OPEN: {
    retryable: true,
    hint: 'recent calls to this speech service failed: it is retried after the breaker cool-down',
  },
  SPEECH_PROTOCOL: {
    retryable: false,
    hint: 'the speech service sent a message this adapter does not understand: check its version',
  },
  ASR_STREAM_CLOSED: {
    retryable: false,
    hint: 'push audio only between stream() and end()/close(); open a new stream for the next turn',
  },
  SPEECH_MODEL_MISSING: {
    retryable: false,
    hint: 'put the model files in modelsDir as docs/speech.md describes, or install the Debian package named',
  },
  SPEECH_ENGINE_MISSING: {
    retryable: false,
    hint: 'install the speech engine (scripts/setup.sh installs espeak-ng and pocketsphinx)',
  },
  PROMPT_UNREADABLE: {
    retryable: false,
    hint: 'the prompt file is missing or not audio ffmpeg can decode: re-export it as WAV, MP3 or similar',
  },
  NLU_CATALOG_INVALID: {
    retryable: false,
    hint: 'fix the catalog file at the named path (see docs/nlu.md#catalog)',
  },
  DIALOG_SCRIPT_INVALID: {
    retryable: false,
    hint: 'fix the script at the named line and path (see docs/dialogs.md#scripts); `voicebot dialog validate FILE` lists every problem',
  },
  ORDER_SUBMIT_FAILED: {
    retryable: true,
    hint: 'the order service refused or did not answer: check the webhook URL and its logs; the caller was offered a person',
  },
  NLU_CONTEXT_INVALID: {
    retryable: false,
    hint: 'pass what the expected slot needs: a catalog for menu, now (and a valid IANA timeZone) for date',
  },
  SIP_BAD_TARGET: {
    retryable: false,
    hint: 'use a sip: URI with an IPv4 host and optional port (sip:user@192.0.2.10:5060), or set sip.outboundProxy',
  },
  SIP_NOT_STARTED: {
    retryable: false,
    hint: 'start the SIP user agent (sip.enabled=true) before placing calls',
  },
  RTP_PORTS_EXHAUSTED: {
    retryable: true,
    hint: 'all RTP ports are in use: widen sip.rtpPortMin..sip.rtpPortMax or lower the call limit',
  },
  CAMPAIGN_INVALID: { retryable: false, hint: 'fix the named campaign field (see docs/campaigns.md)' },
  CAMPAIGN_NOT_FOUND: {
    retryable: false,
    hint: 'check the campaign id (voicebot campaign status lists them)',
  },
  CAMPAIGN_EXISTS: { retryable: false, hint: 'campaign ids are unique: pick another id' },
  AMD_BAD_PARAMETERS: {
    retryable: false,
    hint: 'fix the named AMD parameter (milliseconds / counts, see docs/amd.md)',
  },
  CARRIER_BAD_REQUEST: {
    retryable: false,
    hint: 'fix the named originate field (E.164 numbers, ringTimeoutMs > 0; see docs/carriers.md)',
  },
  CARRIER_CLOSED: { retryable: false, hint: 'the carrier was closed: create a new one to place calls' },
  CARRIER_NO_MEDIA: {
    retryable: true,
    hint: 'the answered call never opened its media stream to the engine: check the stream URL and gateway auth',
  },
  CONTACTS_BAD_FILE: {
    retryable: false,
    hint: 'the contact or DNC file cannot be read as CSV with the named columns (see docs/campaigns.md)',
  },
  STORE_UNAVAILABLE: {
    retryable: true,
    hint: 'the campaign database cannot be reached: check DATABASE_URL / the SQLite path and that the server runs',
  },
  STORE_FAILED: {
    retryable: false,
    hint: 'the campaign database refused a statement: see the cause in the log',
  },
  INTERNAL: { retryable: false, hint: 'a bug: please report it with the log line' },
} as const satisfies Record<string, { retryable: boolean; hint: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class VoicebotError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly hint: string;
  readonly details: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown; retryable?: boolean },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VoicebotError';
    this.code = code;
    this.retryable = options?.retryable ?? ERROR_CODES[code].retryable;
    this.hint = ERROR_CODES[code].hint;
    this.details = details;
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      hint: this.hint,
      ...this.details,
    };
  }
}

export function isVoicebotError(err: unknown): err is VoicebotError {
  return err instanceof VoicebotError;
}
