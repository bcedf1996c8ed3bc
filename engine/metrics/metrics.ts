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

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics)
      collectDefaultMetrics({ register: this.registry, prefix: 'voicebot_process_' });
  }
}
