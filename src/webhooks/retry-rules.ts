/** Which attempts are retried, when, and when a delivery goes to the dead letters. Pure. */
import { backoffDelay } from '../domain/restart-policy.ts';
import type { DeliveryRecord } from '../domain/webhooks.ts';
import type { DeliveryOutcome } from '../storage/ports.ts';

export interface AttemptResult {
  statusCode: number | null;
  /** Network error, timeout or non-2xx, in a few words; null on success. */
  error: string | null;
  latencyMs: number;
  /** Parsed Retry-After, in ms from now. */
  retryAfterMs: number | null;
  /** Set when retrying cannot help (the URL is refused by the SSRF guard). */
  permanent?: boolean;
}

export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
  windowMs: number;
}

/** Network errors and timeouts (no status), 408, 429 and 5xx are worth another try; other 4xx (and 3xx) are not. */
export function isRetryable(result: AttemptResult): boolean {
  const code = result.statusCode;
  if (result.permanent) return false;
  return code === null || code === 408 || code === 429 || code >= 500;
}

export function isSuccess(result: AttemptResult): boolean {
  return result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

export function outcomeOf(delivery: DeliveryRecord, result: AttemptResult, now: number, policy: RetryPolicy, random: () => number = Math.random): DeliveryOutcome {
  const attempts = delivery.attempts + 1;
  const base = { attempts, lastAttemptAt: now, lastStatusCode: result.statusCode, lastError: result.error, lastLatencyMs: result.latencyMs };
  if (isSuccess(result)) return { ...base, status: 'delivered', nextAttemptAt: now, deliveredAt: now, lastError: null };
  if (!isRetryable(result)) return { ...base, status: 'dead', nextAttemptAt: now, deliveredAt: null };
  const backoff = backoffDelay(attempts, { baseMs: policy.baseMs, maxMs: policy.maxMs }, random);
  const delay = result.retryAfterMs !== null && (result.statusCode === 429 || result.statusCode === 503) ? Math.max(result.retryAfterMs, 0) : backoff;
  const next = now + delay;
  if (next > delivery.windowStartedAt + policy.windowMs) {
    return { ...base, status: 'dead', nextAttemptAt: now, deliveredAt: null, lastError: `${result.error ?? 'failed'}; retry window of ${policy.windowMs} ms exhausted` };
  }
  return { ...base, status: 'pending', nextAttemptAt: next, deliveredAt: null };
}
