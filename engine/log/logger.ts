import { type Logger, type LoggerOptions, pino } from 'pino';

/**
 * Keys that may hold personal data. Anything logged under `pii.*` (phone numbers, transcripts,
 * digits) is censored by default; set VOICEBOT_LOG_PII=1 only on a machine allowed to keep it.
 * Log messages themselves never carry personal data: put it in a `pii` object.
 */
export const REDACTED_PATHS = [
  'pii',
  '*.pii',
  'req.headers.authorization',
  'req.headers["x-twilio-signature"]',
];

export interface LoggerSettings {
  level: string;
  pretty?: boolean;
  logPii?: boolean;
  destination?: pino.DestinationStream;
}

export function createRootLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level: settings.level,
    base: { service: 'voicebot' },
    redact: settings.logPii ? [] : { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return settings.destination ? pino(options, settings.destination) : pino(options);
}

/** A child logger for one call. Pass it down explicitly; never reach for a global. */
export function callLogger(
  root: Logger,
  fields: { callId: string; carrier?: string; dialog?: string },
): Logger {
  return root.child(fields);
}

export type { Logger };
