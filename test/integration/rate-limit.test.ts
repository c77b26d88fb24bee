/**
 * Per-key API rate limit: a bucket of `burst` requests refilled at `rps`, 429 RATE_LIMITED with
 * Retry-After when empty, one bucket per key. In memory (controllable clock), and through Redis when
 * WAFLEET_TEST_REDIS_URL is set (e.g. redis://127.0.0.1:6379).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { RedisRateLimiter } from '../../src/outbound/rate-limit/redis-rate-limiter.ts';

const redisUrl = process.env.WAFLEET_TEST_REDIS_URL;

describe('API rate limit (memory)', () => {
  let t: TestApp;
  let key: string;
  let other: string;
  const clock = new ManualClock();
  before(async () => {
    t = await createTestApp({ rateLimit: { rps: 2, burst: 3, redisUrl: undefined } }, undefined, { clock });
    key = await t.tenantWithKey('acme');
    clock.advance(10_000); // the admin key's setup requests drew on its own bucket; let it refill
    other = await t.tenantWithKey('globex');
  });
  after(() => t.close());

  const list = (as: string) => t.request({ method: 'GET', url: '/v1/sessions', key: as });

  test('burst, then 429 with Retry-After; refills with time; each key has its own bucket', async () => {
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await list(key)).statusCode);
    assert.deepEqual(codes, [200, 200, 200, 429]);
    const limited = await list(key);
    assert.equal(limited.json().error.code, 'RATE_LIMITED');
    assert.equal(limited.headers['retry-after'], '1');
    assert.equal((await list(other)).statusCode, 200, 'another key is not affected');
    clock.advance(500);
    assert.equal((await list(key)).statusCode, 200, 'one token back after 1/rps seconds');
    assert.equal((await list(key)).statusCode, 429);
    assert.equal((await t.request({ method: 'GET', url: '/health', key: null })).statusCode, 200, 'operations endpoints are not limited');
  });
});

describe('API rate limit with Redis unreachable', () => {
  test('requests pass at once (the limiter fails open) instead of failing or hanging', async () => {
    const t = await createTestApp({ rateLimit: { rps: 1, burst: 1, redisUrl: 'redis://127.0.0.1:1' } });
    try {
      const started = Date.now();
      const codes = [];
      for (let i = 0; i < 3; i++) codes.push((await t.request({ method: 'GET', url: '/v1/tenants' })).statusCode);
      assert.deepEqual(codes, [200, 200, 200]);
      assert.ok(Date.now() - started < 1000, 'no request waited for Redis');
    } finally {
      await t.close();
    }
  });
});

describe('API rate limit (Redis)', { skip: redisUrl ? false : 'set WAFLEET_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379) to run' }, () => {
  test('two limiters (two nodes) share one bucket per key', async () => {
    const prefix = `wafleet-test:${randomUUID()}:`;
    const a = new RedisRateLimiter(redisUrl!, { rps: 1, burst: 3 }, prefix);
    const b = new RedisRateLimiter(redisUrl!, { rps: 1, burst: 3 }, prefix);
    try {
      await Promise.all([a.ready(), b.ready()]);
      const decisions = [await a.take('k1'), await b.take('k1'), await a.take('k1'), await b.take('k1')];
      assert.deepEqual(decisions.map((d) => d.allowed), [true, true, true, false]);
      assert.equal(decisions[3]?.retryAfterSeconds, 1);
      assert.equal((await b.take('k2')).allowed, true, 'another key, another bucket');
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('the app answers 429 through the Redis backend', async () => {
    const t = await createTestApp({ rateLimit: { rps: 1, burst: 2, redisUrl } });
    try {
      const key = await t.tenantWithKey(`t${randomUUID().slice(0, 8)}`);
      // Until the connection is up requests pass; then the shared bucket (burst 2) runs dry.
      let limited;
      for (let i = 0; i < 100 && !limited; i++) {
        const response = await t.request({ method: 'GET', url: '/v1/sessions', key });
        if (response.statusCode === 429) limited = response;
        else await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.ok(limited, 'a 429 once the Redis bucket is empty');
      assert.equal(limited.json().error.code, 'RATE_LIMITED');
      assert.ok(Number(limited.headers['retry-after']) >= 1);
    } finally {
      await t.close();
    }
  });
});
