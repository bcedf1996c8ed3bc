import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * All engine metrics, on one registry per engine instance (tests create their own).
 * Names follow voicebot_<area>_<name>_<unit>.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly callsActive = new Gauge({
    name: 'voicebot_calls_active_count',
    help: 'Calls currently connected',
    labelNames: ['transport'] as const,
    registers: [this.registry],
  });

  readonly callsTotal = new Counter({
    name: 'voicebot_calls_started_total',
    help: 'Calls accepted since start',
    labelNames: ['transport'] as const,
    registers: [this.registry],
  });

  readonly callDuration = new Histogram({
    name: 'voicebot_calls_duration_seconds',
    help: 'Duration of ended calls',
    labelNames: ['transport', 'reason'] as const,
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
    registers: [this.registry],
  });

  readonly framesIn = new Counter({
    name: 'voicebot_media_frames_in_total',
    help: 'Audio frames received from callers',
    labelNames: ['transport'] as const,
    registers: [this.registry],
  });

  readonly framesOut = new Counter({
    name: 'voicebot_media_frames_out_total',
    help: 'Audio frames sent to callers',
    labelNames: ['transport'] as const,
    registers: [this.registry],
  });

  readonly protocolErrors = new Counter({
    name: 'voicebot_gateway_protocol_errors_total',
    help: 'Bad input from telephony peers, by error code',
    labelNames: ['transport', 'code'] as const,
    registers: [this.registry],
  });

  readonly authFailures = new Counter({
    name: 'voicebot_gateway_auth_failures_total',
    help: 'WebSocket upgrades refused for a missing or bad credential',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  readonly sendLateness = new Histogram({
    name: 'voicebot_media_send_lateness_seconds',
    help: 'How late each paced outbound frame left, against its ideal 20 ms slot',
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1],
    registers: [this.registry],
  });

  readonly speechRequests = new Counter({
    name: 'voicebot_speech_requests_total',
    help: 'Speech adapter requests (ASR streams, TTS syntheses), by adapter, kind and outcome',
    labelNames: ['adapter', 'kind', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly speechLatency = new Histogram({
    name: 'voicebot_speech_first_result_seconds',
    help: 'Time from request start to the first ASR result or first TTS audio',
    labelNames: ['adapter', 'kind'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
    registers: [this.registry],
  });

  readonly speechErrors = new Counter({
    name: 'voicebot_speech_errors_total',
    help: 'Speech adapter failures, by adapter and error code',
    labelNames: ['adapter', 'kind', 'code'] as const,
    registers: [this.registry],
  });

  readonly speechFallbacks = new Counter({
    name: 'voicebot_speech_fallbacks_total',
    help: 'Switches from a primary speech adapter to its fallback',
    labelNames: ['from', 'to', 'kind'] as const,
    registers: [this.registry],
  });

  readonly speechBreakerState = new Gauge({
    name: 'voicebot_speech_breaker_state_info',
    help: 'Circuit breaker state per speech service: 0 closed, 1 half-open, 2 open',
    labelNames: ['breaker'] as const,
    registers: [this.registry],
  });

  readonly speechBreakerTransitions = new Counter({
    name: 'voicebot_speech_breaker_transitions_total',
    help: 'Circuit breaker state changes, by breaker and new state',
    labelNames: ['breaker', 'state'] as const,
    registers: [this.registry],
  });

  readonly sipMessages = new Counter({
    name: 'voicebot_sip_messages_total',
    help: 'SIP messages received, by kind (request method or response class)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly sipResponsesSent = new Counter({
    name: 'voicebot_sip_responses_sent_total',
    help: 'SIP responses sent, by status code',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  readonly sipBadMessages = new Counter({
    name: 'voicebot_sip_bad_messages_total',
    help: 'SIP messages refused or dropped as malformed, too large or unroutable, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly sipRejectedInvites = new Counter({
    name: 'voicebot_sip_rejected_invites_total',
    help: 'New INVITEs refused, by reason (rate, capacity, sdp, codec, ports)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly sipRetransmissions = new Counter({
    name: 'voicebot_sip_retransmissions_total',
    help: 'SIP retransmissions sent by our transactions, by kind (request, response)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly sipOutboundResults = new Counter({
    name: 'voicebot_sip_outbound_results_total',
    help: 'Outbound SIP call attempts, by disposition',
    labelNames: ['disposition'] as const,
    registers: [this.registry],
  });

  readonly sipRtpDropped = new Counter({
    name: 'voicebot_sip_rtp_dropped_packets_total',
    help: 'RTP packets dropped, by reason (unexpected-source, malformed, unknown-payload)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly sipRtpPortsInUse = new Gauge({
    name: 'voicebot_sip_rtp_ports_in_use_count',
    help: 'RTP ports currently allocated to calls',
    registers: [this.registry],
  });

  readonly campaignImportRows = new Counter({
    name: 'voicebot_campaign_import_rows_total',
    help: 'Contact list rows read by imports, by outcome (imported, or the reject reason)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly campaignCalls = new Counter({
    name: 'voicebot_campaign_calls_total',
    help: 'Dial attempts with a recorded result, by campaign and disposition',
    labelNames: ['campaign', 'disposition'] as const,
    registers: [this.registry],
  });

  readonly campaignContacts = new Gauge({
    name: 'voicebot_campaign_contacts_count',
    help: 'Contacts per campaign by state (pending, leased, done), as of the last dialer refresh',
    labelNames: ['campaign', 'state'] as const,
    registers: [this.registry],
  });

  readonly campaignCallsActive = new Gauge({
    name: 'voicebot_campaign_calls_active_count',
    help: 'Calls this engine has placed and not yet finished, by campaign',
    labelNames: ['campaign'] as const,
    registers: [this.registry],
  });

  readonly campaignDialLevel = new Gauge({
    name: 'voicebot_campaign_dial_level_ratio',
    help: 'Predictive dial level (lines per idle agent; 1 in progressive mode)',
    labelNames: ['campaign'] as const,
    registers: [this.registry],
  });

  readonly campaignAbandonRate = new Gauge({
    name: 'voicebot_campaign_abandon_ratio',
    help: 'Abandoned calls / live answers over the rolling abandon window (the compliance period, every engine process on the store), by campaign',
    labelNames: ['campaign'] as const,
    registers: [this.registry],
  });

  readonly sessionTurnLatency = new Histogram({
    name: 'voicebot_session_turn_latency_seconds',
    help: "End of the caller's speech (VAD) to the start of the bot's answer audio",
    buckets: [0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10],
    registers: [this.registry],
  });

  readonly sessionBargeIns = new Counter({
    name: 'voicebot_session_barge_ins_total',
    help: 'Caller interruptions of bot prompts, by result (speech, words, dtmf; resumed: the bot paused for a backchannel and went on; false-trigger, noise)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly sessionTransfers = new Counter({
    name: 'voicebot_session_transfers_total',
    help: 'Transfers to a human agent, by result (ok, no-agent, failed, unsupported)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly sessionReprompts = new Counter({
    name: 'voicebot_session_reprompts_total',
    help: 'Turns that ended without usable input, by kind (no-input, no-match)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics)
      collectDefaultMetrics({ register: this.registry, prefix: 'voicebot_process_' });
  }
}
