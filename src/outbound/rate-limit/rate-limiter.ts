/**
 * API rate limit per key: a token bucket (`burst` tokens, refilled at `rps` per second). The port
 * lets one process keep buckets in memory or many nodes share them through Redis.
 */
import type { Clock } from '../../clock.ts';

export interface RateDecision {
  allowed: boolean;
  /** Seconds until a token is available again (when not allowed). */
  retryAfterSeconds: number;
  remaining: number;
}

export interface RateLimiter {
  take(key: string): Promise<RateDecision>;
  close(): Promise<void>;
}

export interface BucketRules {
  rps: number;
  burst: number;
}

/** Shared by both backends so they decide alike: refill, then take one token if there is one. */
export function takeToken(state: { tokens: number; at: number } | undefined, now: number, rules: BucketRules): { state: { tokens: number; at: number }; decision: RateDecision } {
  const previous = state ?? { tokens: rules.burst, at: now };
  const tokens = Math.min(rules.burst, previous.tokens + (Math.max(0, now - previous.at) / 1000) * rules.rps);
  if (tokens >= 1) {
    return { state: { tokens: tokens - 1, at: now }, decision: { allowed: true, retryAfterSeconds: 0, remaining: Math.floor(tokens - 1) } };
  }
  const retryAfterSeconds = Math.max(1, Math.ceil((1 - tokens) / rules.rps));
  return { state: { tokens, at: now }, decision: { allowed: false, retryAfterSeconds, remaining: 0 } };
}

export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly rules: BucketRules,
    private readonly clock: Clock,
  ) {}

  async take(key: string): Promise<RateDecision> {
    const now = this.clock.now();
    const { state, decision } = takeToken(this.buckets.get(key), now, this.rules);
    this.buckets.set(key, state);
    // Full buckets carry no information: drop them so idle keys do not accumulate.
    if (this.buckets.size > 10_000) {
      for (const [id, bucket] of this.buckets) if (bucket.tokens + ((now - bucket.at) / 1000) * this.rules.rps >= this.rules.burst) this.buckets.delete(id);
    }
    return decision;
  }

  async close(): Promise<void> {
    this.buckets.clear();
  }
}
