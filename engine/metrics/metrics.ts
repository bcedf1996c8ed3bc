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

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics)
      collectDefaultMetrics({ register: this.registry, prefix: 'voicebot_process_' });
  }
}
