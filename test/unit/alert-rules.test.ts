import { test } from 'node:test';
import assert from 'node:assert/strict';
import { effectiveRules, evaluateAlerts, SUBJECTS_KEPT, type AlertFacts } from '../../src/domain/alerts.ts';

const NOW = 10_000_000;
const MIN = 60_000;
const defaults = () => effectiveRules(undefined);

function facts(partial: Partial<AlertFacts>): AlertFacts {
  return { sessions: [], webhooks: [], queues: [], ...partial };
}

test('200 sessions down at once are one condition with the count, and the subjects kept are bounded', () => {
  const sessions = Array.from({ length: 200 }, (_, i) => ({ id: `s${String(i).padStart(3, '0')}`, tenantId: 'acme', status: 'FAILED' as const, since: NOW }));
  const [condition, ...rest] = evaluateAlerts(facts({ sessions }), defaults, NOW);
  assert.equal(rest.length, 0);
  assert.equal(condition!.rule, 'session_failed');
  assert.equal(condition!.severity, 'critical');
  assert.equal(condition!.count, 200);
  assert.equal(condition!.subjects.length, SUBJECTS_KEPT);
  assert.equal(condition!.summary, '200 sessions FAILED: s000, s001, s002 and 197 more');
});

test('each tenant gets its own condition; thresholds in minutes hold back short blips', () => {
  const sessions = [
    { id: 'a', tenantId: 't1', status: 'RECONNECTING' as const, since: NOW - 6 * MIN },
    { id: 'b', tenantId: 't2', status: 'RECONNECTING' as const, since: NOW - 1 * MIN },
    { id: 'c', tenantId: 't2', status: 'SCAN_QR' as const, since: NOW - 11 * MIN },
    { id: 'd', tenantId: 't1', status: 'LOGGED_OUT' as const, since: NOW },
  ];
  const out = evaluateAlerts(facts({ sessions }), defaults, NOW).map((c) => [c.tenantId, c.rule, c.subjects.join()]);
  assert.deepEqual(out.sort(), [
    ['t1', 'session_logged_out', 'd'],
    ['t1', 'session_unhealthy', 'a'],
    ['t2', 'qr_unscanned', 'c'],
  ]);
});

test('tenant overrides: a rule off, a longer wait, a lower attempt threshold', () => {
  const settings = (tenantId: string) =>
    effectiveRules(tenantId === 'quiet' ? { session_failed: { enabled: false }, queue_wait_high: { forMinutes: 60 }, webhook_failing: { failedAttempts: 1 } } : undefined);
  const input = facts({
    sessions: [
      { id: 'x', tenantId: 'quiet', status: 'FAILED', since: NOW },
      { id: 'y', tenantId: 'loud', status: 'FAILED', since: NOW },
    ],
    queues: [
      { tenantId: 'quiet', oldestEnqueuedAt: NOW - 20 * MIN, depth: 7 },
      { tenantId: 'loud', oldestEnqueuedAt: NOW - 20 * MIN, depth: 9 },
    ],
    webhooks: [
      { tenantId: 'quiet', webhookId: 'w1', dead: 0, maxFailedAttempts: 1, recentDelivered: 0, recentFailed: 0 },
      { tenantId: 'loud', webhookId: 'w2', dead: 0, maxFailedAttempts: 2, recentDelivered: 0, recentFailed: 0 },
      { tenantId: 'loud', webhookId: 'w3', dead: 4, maxFailedAttempts: 0, recentDelivered: 0, recentFailed: 0 },
    ],
  });
  const out = evaluateAlerts(input, settings, NOW).map((c) => [c.tenantId, c.rule, c.count, c.subjects.join()]);
  assert.deepEqual(out.sort(), [
    ['loud', 'queue_wait_high', 9, 'loud'],
    ['loud', 'session_failed', 1, 'y'],
    ['loud', 'webhook_failing', 1, 'w3'],
    ['quiet', 'webhook_failing', 1, 'w1'],
  ]);
  const queue = evaluateAlerts(input, settings, NOW).find((c) => c.rule === 'queue_wait_high');
  assert.equal(queue!.summary, '9 outbound messages queued, the oldest for 10+ min');
});

test('nothing wrong, nothing fires', () => {
  assert.deepEqual(evaluateAlerts(facts({ queues: [{ tenantId: 'a', oldestEnqueuedAt: NOW - 1000, depth: 3 }] }), defaults, NOW), []);
});

test('webhook_failing: a success rate under minSuccessPercent fires once enough deliveries were tried; a tenant can lower or turn it off', () => {
  const webhook = (webhookId: string, recentDelivered: number, recentFailed: number) => ({ tenantId: 't', webhookId, dead: 0, maxFailedAttempts: 0, recentDelivered, recentFailed });
  const input = facts({
    webhooks: [
      webhook('flaky', 70, 30), // 70 %: under the default 80 %
      webhook('fine', 90, 10), // 90 %
      webhook('few', 1, 5), // 6 tried: too few to judge
    ],
  });
  const fired = evaluateAlerts(input, defaults, NOW);
  assert.deepEqual(fired.map((c) => [c.rule, c.subjects.join()]), [['webhook_failing', 'flaky']]);
  assert.match(fired[0]!.summary, /low success rate/);
  assert.deepEqual(evaluateAlerts(input, () => effectiveRules({ webhook_failing: { minSuccessPercent: 60 } }), NOW), []);
  assert.deepEqual(evaluateAlerts(input, () => effectiveRules({ webhook_failing: { minSuccessPercent: 0 } }), NOW), []);
});
