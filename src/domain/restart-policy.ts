/** Reconnect backoff and circuit breaker rules (ARCHITECTURE.md §4). Pure: time and randomness are inputs. */

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

/**
 * Exponential backoff with "equal jitter": half the delay is fixed, half random, so reconnect storms
 * spread out while a single session still backs off predictably.
 * `attempt` starts at 1.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export interface BreakerOptions {
  failures: number;
  windowMs: number;
}

/** Trips after `failures` failures inside a sliding window of `windowMs`. */
export class CircuitBreaker {
  private failureTimes: number[] = [];

  constructor(private readonly options: BreakerOptions) {}

  /** Records a failure at `now`; returns true when the breaker trips. */
  recordFailure(now: number): boolean {
    this.failureTimes = this.failureTimes.filter((time) => now - time < this.options.windowMs);
    this.failureTimes.push(now);
    return this.failureTimes.length >= this.options.failures;
  }

  /** Failures still inside the window, which is also the attempt number for backoff. */
  recentFailures(now: number): number {
    return this.failureTimes.filter((time) => now - time < this.options.windowMs).length;
  }

  reset(): void {
    this.failureTimes = [];
  }
}
