/**
 * The token bucket in Redis, so every node of a cluster counts the same requests. One Lua script
 * refills and takes atomically; buckets expire once they would be full again anyway.
 */
import { Redis } from 'ioredis';
import type { BucketRules, RateDecision, RateLimiter } from './rate-limiter.ts';

const TAKE = `
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local rps, burst, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local tokens, at = tonumber(state[1]), tonumber(state[2])
if tokens == nil then tokens = burst; at = now end
tokens = math.min(burst, tokens + math.max(0, now - at) / 1000 * rps)
local allowed = 0
if tokens >= 1 then tokens = tokens - 1; allowed = 1 end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rps * 1000) + 1000)
return { allowed, tostring(tokens) }
`;

export class RedisRateLimiter implements RateLimiter {
  private readonly redis: Redis;

  constructor(
    url: string,
    private readonly rules: BucketRules,
    private readonly prefix = 'wafleet:ratelimit:',
  ) {
    // Fail fast instead of holding requests while Redis is away (the plugin then lets them pass).
    this.redis = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2000, commandTimeout: 1000 });
    this.redis.on('error', () => undefined); // reported per request (see take) rather than as an unhandled event
  }

  async take(key: string): Promise<RateDecision> {
    // While Redis is away, answer at once (the plugin lets the request pass) instead of making
    // every API call wait for a connection attempt.
    if (this.redis.status !== 'ready') throw new Error(`rate-limit Redis is ${this.redis.status}`);
    // Redis time, not the node's: nodes with skewed clocks must not refill a shared bucket differently.
    const [seconds, micros] = await this.redis.time();
    const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    const [allowed, tokensText] = (await this.redis.eval(TAKE, 1, `${this.prefix}${key}`, this.rules.rps, this.rules.burst, now)) as [number, string];
    const tokens = Number(tokensText);
    if (allowed === 1) return { allowed: true, retryAfterSeconds: 0, remaining: Math.floor(tokens) };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / this.rules.rps)), remaining: 0 };
  }

  /** Resolves once connected (until then take() fails fast). */
  ready(): Promise<void> {
    if (this.redis.status === 'ready') return Promise.resolve();
    return new Promise((resolve) => this.redis.once('ready', () => resolve()));
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
