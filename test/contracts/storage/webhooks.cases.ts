/** Webhooks, the delivery log and outbox cursors: CRUD, idempotent fan-out, ordered claiming, retries, pruning. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DeliveryRecord, WebhookRecord } from '../../../src/domain/webhooks.ts';
import { deliveryGroupKey, type Storage } from '../../../src/storage/ports.ts';
import { event, eventId, seed, type StorageContext } from './harness.ts';

const T0 = 1_700_000_000_000;

function webhook(id: string, overrides: Partial<WebhookRecord> = {}): WebhookRecord {
  return {
    id,
    tenantId: 'acme',
    sessionId: null,
    url: 'https://example.com/hook',
    events: ['message.*', 'session.status'],
    headers: 'sealed-headers',
    secret: 'sealed-secret',
    enabled: true,
    description: 'desc',
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

function delivery(id: string, webhookId: string, n: number, overrides: Partial<DeliveryRecord> = {}): DeliveryRecord {
  return {
    id,
    webhookId,
    eventId: eventId(n),
    eventType: 'session.status',
    tenantId: 'acme',
    orderKey: 's1',
    status: 'pending',
    attempts: 0,
    nextAttemptAt: T0,
    windowStartedAt: T0,
    lastAttemptAt: null,
    lastStatusCode: null,
    lastError: null,
    lastLatencyMs: null,
    deliveredAt: null,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

async function seedHooks(storage: Storage): Promise<void> {
  await seed(storage);
  await storage.webhooks.create(webhook('w1'));
  await storage.webhooks.create(webhook('w2', { sessionId: 's1', createdAt: T0 + 1 }));
  await storage.webhooks.create(webhook('wg', { tenantId: null, createdAt: T0 + 2 }));
}

const ids = (rows: Array<{ id: string }>) => rows.map((r) => r.id);

export function registerWebhookCases(ctx: StorageContext): void {
  describe('webhooks and deliveries', () => {
    test('webhooks: create, get (round trip), list by tenant/global/session, update, delete', () =>
      ctx.withStorage(async (storage) => {
        await seedHooks(storage);
        assert.deepEqual(await storage.webhooks.get('w1'), webhook('w1'));
        assert.deepEqual(ids(await storage.webhooks.list({})), ['w1', 'w2', 'wg']);
        assert.deepEqual(ids(await storage.webhooks.list({ tenantId: 'acme' })), ['w1', 'w2']);
        assert.deepEqual(ids(await storage.webhooks.list({ tenantId: null })), ['wg']);
        assert.deepEqual(ids(await storage.webhooks.list({ sessionId: 's1' })), ['w2']);
        const updated = await storage.webhooks.update('w1', { enabled: false, events: ['*'], description: null, url: 'https://x.test/a\u0000b' }, T0 + 10);
        assert.equal(updated?.enabled, false);
        assert.equal(updated?.url, 'https://x.test/a\ufffdb');
        assert.equal(updated?.updatedAt, T0 + 10);
        assert.deepEqual(ids(await storage.webhooks.listEnabled()), ['w2', 'wg']);
        assert.equal(await storage.webhooks.update('missing', { enabled: true }, T0), undefined);
        assert.equal(await storage.webhooks.delete('w1'), true);
        assert.equal(await storage.webhooks.delete('w1'), false);
      }));

    test('webhooks: replaceHeaders sets the headers only while they are still the expected value', () =>
      ctx.withStorage(async (storage) => {
        await seedHooks(storage);
        assert.equal(await storage.webhooks.replaceHeaders('w1', '{"X-Team":"support"}', 'sealed-2'), false, 'not the stored value');
        assert.equal((await storage.webhooks.get('w1'))?.headers, 'sealed-headers');
        assert.equal(await storage.webhooks.replaceHeaders('w1', 'sealed-headers', 'sealed-2'), true);
        assert.equal((await storage.webhooks.get('w1'))?.headers, 'sealed-2');
        assert.equal((await storage.webhooks.get('w1'))?.updatedAt, T0, 'a re-encryption is not an update by the owner');
        assert.equal(await storage.webhooks.replaceHeaders('missing', 'sealed-headers', 'x'), false);
      }));

    test('alert facts: per webhook, dead letters, the worst pending delivery, and the window\'s delivered vs failed', () =>
      ctx.withStorage(async (storage) => {
        await seedHooks(storage);
        await storage.deliveries.enqueue([
          delivery('a1', 'w1', 1, { status: 'delivered', attempts: 1, updatedAt: T0 + 100 }),
          delivery('a2', 'w1', 2, { status: 'delivered', attempts: 3, updatedAt: T0 + 100 }), // delivered after retries: a success
          delivery('a3', 'w1', 3, { status: 'pending', attempts: 2, updatedAt: T0 + 100 }),
          delivery('a4', 'w1', 4, { status: 'dead', attempts: 5, updatedAt: T0 + 100 }),
          delivery('a5', 'w1', 5, { status: 'pending', attempts: 0, updatedAt: T0 + 100 }), // not tried yet: neither
          delivery('old', 'w1', 6, { status: 'delivered', attempts: 1, updatedAt: T0 - 1 }), // before the window
          delivery('b1', 'w2', 1, { status: 'delivered', attempts: 1, updatedAt: T0 + 100 }),
        ]);
        const facts = await storage.alerts.facts([], T0);
        const byId = Object.fromEntries(facts.webhooks.map((w) => [w.webhookId, w]));
        assert.deepEqual(byId.w1, { tenantId: 'acme', webhookId: 'w1', dead: 1, maxFailedAttempts: 2, recentDelivered: 2, recentFailed: 2 });
        assert.deepEqual(byId.w2, { tenantId: 'acme', webhookId: 'w2', dead: 0, maxFailedAttempts: 0, recentDelivered: 1, recentFailed: 0 });
      }));

    test('enqueue skips a (webhook, event) pair that exists; requeue revives finished rows but not in-flight ones', () =>
      ctx.withStorage(async (storage) => {
        await seedHooks(storage);
        assert.equal(await storage.deliveries.enqueue([delivery('d1', 'w1', 1), delivery('d2', 'w1', 2)]), 2);
        assert.equal(await storage.deliveries.enqueue([delivery('d1b', 'w1', 1), delivery('d3', 'w2', 1)]), 1);
        assert.deepEqual(ids(await storage.deliveries.list({ limit: 10 })), ['d1', 'd2', 'd3']);
        await storage.deliveries.finish('d1', { status: 'dead', attempts: 3, nextAttemptAt: T0, lastAttemptAt: T0 + 5, lastStatusCode: 410, lastError: 'HTTP 410', lastLatencyMs: 12, deliveredAt: null }, T0 + 5);
        const dead = await storage.deliveries.get('d1');
        assert.equal(dead?.status, 'dead');
        assert.equal(dead?.lastStatusCode, 410);
        assert.equal(dead?.lastLatencyMs, 12);
        await storage.deliveries.claimDue(T0 + 100, 10, () => 10); // d2 and d3 are now delivering
        assert.equal(await storage.deliveries.requeue([delivery('x1', 'w1', 1, { createdAt: T0 + 50 }), delivery('x2', 'w1', 2, { createdAt: T0 + 50 }), delivery('x4', 'w1', 4, { createdAt: T0 + 50 })]), 2);
        const revived = await storage.deliveries.get('d1');
        assert.equal(revived?.status, 'pending');
        assert.equal(revived?.nextAttemptAt, T0 + 50);
        assert.equal(revived?.windowStartedAt, T0 + 50);
        assert.equal(revived?.attempts, 3, 'attempts keep counting');
        assert.equal((await storage.deliveries.get('d2'))?.status, 'delivering', 'in flight: left alone');
        assert.equal((await storage.deliveries.get('x4'))?.eventId, eventId(4), 'a new pair is inserted');
      }));

    test('claimDue: only the earliest unfinished delivery per (webhook, session), due ones, enabled webhooks, per-webhook cap', () =>
      ctx.withStorage(async (storage) => {
        await seedHooks(storage);
        await storage.deliveries.enqueue([
          delivery('a1', 'w1', 1),
          delivery('a2', 'w1', 2),
          delivery('b1', 'w1', 3, { orderKey: 's2' }),
          delivery('c1', 'w1', 4, { orderKey: '' }),
          delivery('g1', 'wg', 1, { nextAttemptAt: T0 + 1000 }),
          delivery('g2', 'wg', 2),
          delivery('h1', 'w2', 1),
        ]);
        await storage.webhooks.update('w2', { enabled: false }, T0);
        const first = await storage.deliveries.claimDue(T0, 10, () => 10);
        // a2 waits for a1; g2 waits for g1 which is not due; h1's webhook is disabled.
        assert.deepEqual(ids(first).sort(), ['a1', 'b1', 'c1']);
        assert.ok(first.every((d) => d.status === 'delivering'));
        assert.deepEqual(await storage.deliveries.claimDue(T0, 10, () => 10), [], 'a1 in flight still blocks a2');
        await storage.deliveries.finish('a1', { status: 'delivered', attempts: 1, nextAttemptAt: T0, lastAttemptAt: T0, lastStatusCode: 200, lastError: null, lastLatencyMs: 3, deliveredAt: T0 }, T0);
        assert.deepEqual(ids(await storage.deliveries.claimDue(T0, 10, () => 10)), ['a2']);
        assert.deepEqual(ids(await storage.deliveries.claimDue(T0 + 1000, 10, (id) => (id === 'wg' ? 0 : 10))), [], 'per-webhook cap 0');
        assert.deepEqual(ids(await storage.deliveries.claimDue(T0 + 1000, 10, () => 10)), ['g1']);
        assert.equal(await storage.deliveries.releaseInFlight(T0 + 2000), 4);
        const skipped = await storage.deliveries.claimDue(T0 + 2000, 10, () => 10, { groups: new Set([deliveryGroupKey('w1', 's1')]), webhooks: new Set(['wg']) });
        assert.deepEqual(ids(skipped).sort(), ['b1', 'c1'], 'a2 (group skipped) and g1 (webhook skipped) are passed by');
        assert.equal(await storage.deliveries.releaseInFlight(T0 + 2000), 2);
        assert.deepEqual((await storage.deliveries.countByStatus()), { pending: 6, delivering: 0, delivered: 1, dead: 0 });
        assert.equal((await storage.deliveries.claimDue(T0 + 2000, 2, () => 10)).length, 2, 'global limit');
      }));

    test('claimDue with a deep backlog on one session: its deliveries go one at a time in event order, other sessions are not held up', () =>
      ctx.withStorage(async (storage) => {
        await seedHooks(storage);
        const backlog = Array.from({ length: 300 }, (_, i) => delivery(`deep-${String(i).padStart(3, '0')}`, 'w1', 10 + i));
        // Sessions that sort before and after the deep one, and a later event on another webhook.
        await storage.deliveries.enqueue([...backlog, delivery('early', 'w1', 400, { orderKey: 'a-session' }), delivery('late', 'w1', 401, { orderKey: 'z-session' }), delivery('other', 'wg', 402)]);
        const finish = (id: string) => storage.deliveries.finish(id, { status: 'delivered', attempts: 1, nextAttemptAt: T0, lastAttemptAt: T0, lastStatusCode: 200, lastError: null, lastLatencyMs: 1, deliveredAt: T0 }, T0);
        assert.deepEqual(ids(await storage.deliveries.claimDue(T0, 10, () => 10)).sort(), ['deep-000', 'early', 'late', 'other']);
        for (const id of ['early', 'late', 'other']) await finish(id);
        const order: string[] = [];
        for (let round = 0; round < 5; round++) {
          const claimed = await storage.deliveries.claimDue(T0, 10, () => 10);
          assert.equal(claimed.length, round === 0 ? 0 : 1, `round ${round}: one at a time, and none while the head is in flight`);
          if (round === 0) await finish('deep-000');
          for (const d of claimed) {
            order.push(d.id);
            await finish(d.id);
          }
        }
        assert.deepEqual(order, ['deep-001', 'deep-002', 'deep-003', 'deep-004']);
      }));

    test('list filters and paging; retryDead by ids, webhook and tenant', () =>
      ctx.withStorage(async (storage) => {
        await seedHooks(storage);
        const deadOutcome = { status: 'dead' as const, attempts: 1, nextAttemptAt: T0, lastAttemptAt: T0, lastStatusCode: 400, lastError: 'HTTP 400', lastLatencyMs: 1, deliveredAt: null };
        await storage.deliveries.enqueue([delivery('d1', 'w1', 1), delivery('d2', 'w1', 2), delivery('d3', 'wg', 3, { tenantId: 'other' }), delivery('d4', 'w2', 4)]);
        for (const id of ['d1', 'd2', 'd3', 'd4']) await storage.deliveries.finish(id, deadOutcome, T0 + 1);
        assert.deepEqual(ids(await storage.deliveries.list({ webhookId: 'w1', limit: 1 })), ['d1']);
        assert.deepEqual(ids(await storage.deliveries.list({ webhookId: 'w1', after: 'd1', limit: 10 })), ['d2']);
        assert.deepEqual(ids(await storage.deliveries.list({ webhookIds: ['w1', 'w2'], status: 'dead', limit: 10 })), ['d1', 'd2', 'd4']);
        assert.deepEqual(await storage.deliveries.list({ webhookIds: [], limit: 10 }), []);
        assert.deepEqual(ids(await storage.deliveries.list({ tenantId: 'other', limit: 10 })), ['d3']);
        assert.equal(await storage.deliveries.retryDead({ ids: ['d1'] }, T0 + 9), 1);
        assert.equal(await storage.deliveries.retryDead({ ids: [] }, T0 + 9), 0);
        assert.equal(await storage.deliveries.retryDead({ webhookId: 'w1' }, T0 + 9), 1);
        assert.equal(await storage.deliveries.retryDead({ tenantId: 'acme' }, T0 + 9), 1);
        assert.equal(await storage.deliveries.retryDead({}, T0 + 9), 1);
        const d1 = await storage.deliveries.get('d1');
        assert.equal(d1?.status, 'pending');
        assert.equal(d1?.nextAttemptAt, T0 + 9);
        assert.equal(await storage.webhooks.delete('w1'), true);
        assert.equal(await storage.deliveries.get('d1'), undefined, 'the log goes with its webhook');
      }));

    test('pruning: events with unfinished deliveries stay; finished delivery logs go by age', () =>
      ctx.withStorage(async (storage) => {
        await seedHooks(storage);
        await storage.events.append([event(1), event(2), event(3), event(4)]);
        await storage.deliveries.enqueue([delivery('d1', 'w1', 1), delivery('d2', 'w1', 2, { updatedAt: T0 })]);
        await storage.deliveries.finish('d2', { status: 'delivered', attempts: 1, nextAttemptAt: T0, lastAttemptAt: T0, lastStatusCode: 200, lastError: null, lastLatencyMs: 1, deliveredAt: T0 }, T0);
        // event(n).timestamp = T0 + n
        assert.equal(await storage.deliveries.pruneEventsBefore(T0 + 4), 2, 'events 2 and 3; event 1 is still pending');
        assert.deepEqual(ids(await storage.events.list({ limit: 10 })), [eventId(1), eventId(4)]);
        assert.equal(await storage.deliveries.pruneFinishedBefore(T0 + 1), 1);
        assert.deepEqual(ids(await storage.deliveries.list({ limit: 10 })), ['d1']);
      }));

    test('outbox cursor and event reads; a failed transaction leaves neither deliveries nor cursor', () =>
      ctx.withStorage(async (storage) => {
        await seedHooks(storage);
        await storage.events.append([event(1), event(2), event(3)]);
        assert.equal(await storage.deliveries.getCursor('webhooks:single'), undefined);
        await storage.deliveries.setCursor('webhooks:single', eventId(1), T0);
        await storage.deliveries.setCursor('webhooks:single', eventId(2), T0 + 1);
        assert.equal(await storage.deliveries.getCursor('webhooks:single'), eventId(2));
        assert.deepEqual(ids(await storage.deliveries.eventsBetween(eventId(1), eventId(3), 10)), [eventId(2), eventId(3)]);
        assert.deepEqual(ids(await storage.deliveries.eventsBetween(eventId(0), eventId(3), 1)), [eventId(1)]);
        assert.deepEqual(await storage.deliveries.eventsByIds([eventId(3), eventId(1), 'missing']), [event(1), event(3)]);
        await assert.rejects(
          storage.transaction(async (repos) => {
            await repos.deliveries.enqueue([delivery('t1', 'w1', 3)]);
            await repos.deliveries.setCursor('webhooks:single', eventId(3), T0 + 2);
            throw new Error('boom');
          }),
          /boom/,
        );
        assert.equal(await storage.deliveries.get('t1'), undefined);
        assert.equal(await storage.deliveries.getCursor('webhooks:single'), eventId(2));
      }));
  });
}
