/**
 * Retry with exponential backoff and full jitter, for retryable errors only: a VoicebotError with
 * `retryable: false` (bad request, bad config) fails at once. Abortable; the sleep is injectable.
 */
import { isVoicebotError } from '../../engine/errors.ts';

export interface RetryOptions {
  /** Retries after the first attempt (0 = try once). */
  retries: number;
  /** Backoff before retry n (0-based) is random in [0, min(maxDelayMs, baseDelayMs * 2^n)]. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Which errors to retry; default: VoicebotErrors with retryable=true. */
  isRetryable?: (err: unknown) => boolean;
  signal?: AbortSignal;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

export const isRetryableError = (err: unknown): boolean => isVoicebotError(err) && err.retryable;

export function backoffDelayMs(attempt: number, base: number, max: number, random: () => number): number {
  return Math.round(random() * Math.min(max, base * 2 ** attempt));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const isRetryable = options.isRetryable ?? isRetryableError;
  const base = options.baseDelayMs ?? 100;
  const max = options.maxDelayMs ?? 2000;
  const random = options.random ?? Math.random;
  const wait = options.sleep ?? sleep;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= options.retries || !isRetryable(err) || options.signal?.aborted) throw err;
      const delayMs = backoffDelayMs(attempt, base, max, random);
      options.onRetry?.(err, attempt + 1, delayMs);
      await wait(delayMs, options.signal);
    }
  }
}
