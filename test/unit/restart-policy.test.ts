import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, CircuitBreaker } from '../../src/domain/restart-policy.ts';

const options = { baseMs: 1000, maxMs: 30_000 };

test('backoff doubles per attempt, stays within [ceiling/2, ceiling] and is capped', () => {
  const ceilings = [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000];
  ceilings.forEach((ceiling, index) => {
    assert.equal(backoffDelay(index + 1, options, () => 0), ceiling / 2);
    assert.equal(backoffDelay(index + 1, options, () => 1), ceiling);
  });
});

test('jitter spreads delays of the same attempt', () => {
  const delays = new Set(Array.from({ length: 20 }, (_, i) => backoffDelay(3, options, () => i / 20)));
  assert.ok(delays.size > 10);
});

test('breaker trips on the Nth failure inside the window, not when failures are spread out', () => {
  const breaker = new CircuitBreaker({ failures: 3, windowMs: 10_000 });
  assert.equal(breaker.recordFailure(0), false);
  assert.equal(breaker.recordFailure(5000), false);
  assert.equal(breaker.recordFailure(12_000), false, 'the first failure left the window');
  assert.equal(breaker.recordFailure(13_000), true);
  breaker.reset();
  assert.equal(breaker.recentFailures(13_000), 0);
});
