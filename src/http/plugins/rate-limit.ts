/**
 * Per-key API rate limit for /v1 (after auth, so the bucket is the key's id). 429 RATE_LIMITED with
 * Retry-After when the bucket is empty. When the shared backend fails, requests pass: an outage of
 * the limiter must not become an outage of the API.
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors/app-error.ts';
import type { RateLimiter } from '../../outbound/rate-limit/rate-limiter.ts';
import { presentedKey } from './auth.ts';

export function registerRateLimit(app: FastifyInstance, limiter: RateLimiter | undefined, burst: number): void {
  if (!limiter) return;
  app.addHook('onRequest', async (request, reply) => {
    // A call another node passed on was counted there already.
    if (request.hopFrom) return;
    // Unauthenticated requests are limited by the presented key too, so guessing keys costs tokens.
    const id = request.principal?.keyId ?? `anon:${presentedKey(request)?.slice(0, 16) ?? request.ip}`;
    let decision;
    try {
      decision = await limiter.take(id);
    } catch (error) {
      request.log.warn({ err: error }, 'rate limiter unavailable; request allowed');
      return;
    }
    reply.header('x-ratelimit-limit', String(burst));
    reply.header('x-ratelimit-remaining', String(decision.remaining));
    if (!decision.allowed) {
      throw new AppError('RATE_LIMITED', `Too many requests for this key: retry in ${decision.retryAfterSeconds} s.`, { retryAfterSeconds: decision.retryAfterSeconds });
    }
  });
}
