/** The outbound pipeline's tables: send queue, idempotency keys, bulk jobs. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { QueuedSend } from '../../../src/storage/outbound-ports.ts';
import { StorageConflictError } from '../../../src/storage/ports.ts';
import { seed, type StorageContext } from './harness.ts';
import { message } from './messages.cases.ts';

function queued(messageId: string, seq: string, overrides: Partial<QueuedSend> = {}): QueuedSend {
  return {
    sessionId: 's1', messageId, tenantId: 'acme', seq, chatId: '491511111111@s.whatsapp.net',
    payload: JSON.stringify({ to: '491511111111@s.whatsapp.net', id: messageId, content: { type: 'text', text: `héllo ${messageId} 👋\u0000` } }),
    bulkJobId: null, attempts: 0, enqueuedAt: 1_700_000_000_000, ...overrides,
  };
}

export function registerOutboundCases(ctx: StorageContext): void {
  describe('outbound queue, idempotency, bulk jobs', () => {
    test('queue: FIFO by seq per session, round-trip, attempts, depth, remove, cascade with the session', () =>
      ctx.withStorage(async (storage) => {
        await seed(storage);
        await storage.outbound.enqueue([queued('B', '01B', { enqueuedAt: 20 }), queued('A', '01A', { enqueuedAt: 10 }), queued('C', '01C', { sessionId: 's2', enqueuedAt: 5 })]);
        assert.deepEqual(await storage.outbound.next('s1'), queued('A', '01A', { enqueuedAt: 10 }), 'round-trips, oldest seq first');
        await storage.outbound.markAttempt('s1', 'A');
        await storage.outbound.markAttempt('s1', 'A');
        assert.equal((await storage.outbound.next('s1'))?.attempts, 2);
        assert.deepEqual(await storage.outbound.depth('s1'), { depth: 2, oldestEnqueuedAt: 10 });
        assert.deepEqual(await storage.outbound.depth('nope'), { depth: 0, oldestEnqueuedAt: null });
        assert.deepEqual(await storage.outbound.totals(), { depth: 3, oldestEnqueuedAt: 5 });
        assert.deepEqual((await storage.outbound.sessionsWithWork()).sort(), ['s1', 's2']);
        assert.equal(await storage.outbound.remove('s1', 'A'), true);
        assert.equal(await storage.outbound.remove('s1', 'A'), false);
        assert.equal((await storage.outbound.next('s1'))?.messageId, 'B');
        assert.equal((await storage.outbound.next('s1', '01A'))?.messageId, 'B', 'after a seq');
        assert.equal(await storage.outbound.next('s1', '01B'), undefined, 'nothing after the last');
        await storage.sessions.delete('s2');
        assert.equal(await storage.outbound.next('s2'), undefined, 'rows go with their session');
        await assert.rejects(storage.outbound.enqueue([queued('B', '01Z')]), 'one row per (session, message)');
      }));

    test('queue: sends of a paused or cancelled bulk job are skipped, not removed; removeByJob', () =>
      ctx.withStorage(async (storage) => {
        await seed(storage);
        const job = { id: 'J1', tenantId: 'acme', sessionId: 's1', status: 'paused' as const, total: 2, createdAt: 1, updatedAt: 1 };
        await storage.bulkJobs.create(job, [{ jobId: 'J1', index: 0, recipient: 'a@s.whatsapp.net', messageId: 'J-a' }, { jobId: 'J1', index: 1, recipient: 'b@s.whatsapp.net', messageId: 'J-b' }]);
        await storage.outbound.enqueue([queued('J-a', '01A', { bulkJobId: 'J1' }), queued('J-b', '01B', { bulkJobId: 'J1' }), queued('single', '01C')]);
        assert.equal((await storage.outbound.next('s1'))?.messageId, 'single');
        assert.equal(await storage.outbound.next('s1', '01C'), undefined);
        assert.equal((await storage.outbound.next('s1', '00'))?.messageId, 'single', 'held rows stay skipped after a seq too');
        await storage.bulkJobs.setStatus('J1', 'running', 2);
        assert.equal((await storage.outbound.next('s1'))?.messageId, 'J-a');
        assert.equal((await storage.outbound.next('s1', '01A'))?.messageId, 'J-b');
        assert.deepEqual((await storage.outbound.removeByJob('J1')).sort(), ['J-a', 'J-b']);
        assert.equal((await storage.outbound.depth('s1')).depth, 1);
      }));

    test('queue: FIFO across single sends and several running bulk jobs, past a long paused one', () =>
      ctx.withStorage(async (storage) => {
        await seed(storage);
        const job = (id: string, status: 'running' | 'paused') => ({ id, tenantId: 'acme', sessionId: 's1', status, total: 1, createdAt: 1, updatedAt: 1 });
        for (const [id, status] of [['P', 'paused'], ['R1', 'running'], ['R2', 'running']] as const) await storage.bulkJobs.create(job(id, status), []);
        const paused = Array.from({ length: 300 }, (_, i) => queued(`P-${i}`, `01A${String(i).padStart(3, '0')}`, { bulkJobId: 'P' }));
        await storage.outbound.enqueue([...paused, queued('R1-a', '01B1', { bulkJobId: 'R1' }), queued('R2-a', '01B2', { bulkJobId: 'R2' }), queued('R1-b', '01B3', { bulkJobId: 'R1' }), queued('single', '01B4'), queued('other-session', '01A', { sessionId: 's2' })]);
        const order: string[] = [];
        for (let item = await storage.outbound.next('s1'); item; item = await storage.outbound.next('s1')) {
          order.push(item.messageId);
          await storage.outbound.remove('s1', item.messageId);
        }
        assert.deepEqual(order, ['R1-a', 'R2-a', 'R1-b', 'single'], 'the paused job is passed by, the rest goes in seq order');
        await storage.bulkJobs.setStatus('P', 'running', 2);
        assert.equal((await storage.outbound.next('s1'))?.messageId, 'P-0', 'resumed: its first message is next');
      }));

    test('bulk jobs: create, get, list, status, items with message status, progress', () =>
      ctx.withStorage(async (storage) => {
        await seed(storage);
        const job = { id: 'J1', tenantId: 'acme', sessionId: 's1', status: 'running' as const, total: 3, createdAt: 5, updatedAt: 5 };
        const items = ['x', 'y', 'z'].map((name, index) => ({ jobId: 'J1', index, recipient: `${name}@s.whatsapp.net`, messageId: `M${name}` }));
        await storage.bulkJobs.create(job, items);
        await storage.messages.upsert(message('Mx', { status: 'sent' }));
        await storage.messages.upsert(message('My', { status: 'failed', statusReason: 'nope' }));
        assert.deepEqual(await storage.bulkJobs.get('J1'), job);
        assert.equal(await storage.bulkJobs.get('J2'), undefined);
        assert.deepEqual((await storage.bulkJobs.listBySession('s1', 10)).map((j) => j.id), ['J1']);
        assert.deepEqual(await storage.bulkJobs.progress('J1'), { sent: 1, failed: 1 });
        const results = await storage.bulkJobs.items('J1', 10, 0);
        assert.deepEqual(results.map((r) => [r.index, r.recipient, r.status, r.statusReason]), [
          [0, 'x@s.whatsapp.net', 'sent', null],
          [1, 'y@s.whatsapp.net', 'failed', 'nope'],
          [2, 'z@s.whatsapp.net', 'failed', 'message no longer stored'],
        ]);
        assert.deepEqual((await storage.bulkJobs.items('J1', 1, 1)).map((r) => r.messageId), ['My']);
        assert.equal(await storage.bulkJobs.setStatus('J1', 'cancelled', 9), true);
        assert.equal((await storage.bulkJobs.get('J1'))?.status, 'cancelled');
        await storage.sessions.delete('s1');
        assert.equal(await storage.bulkJobs.get('J1'), undefined, 'jobs go with their session');
      }));

    test('idempotency keys: create, conflict, get, delete, prune; everything in one transaction or nothing', () =>
      ctx.withStorage(async (storage) => {
        await seed(storage);
        const record = { scope: 'tenant:acme', key: 'k-1', requestHash: 'h1', sessionId: 's1', resultId: 'M1', createdAt: 100 };
        await storage.idempotency.create(record);
        await assert.rejects(storage.idempotency.create({ ...record, requestHash: 'h2' }), StorageConflictError);
        await storage.idempotency.create({ ...record, scope: 'admin', createdAt: 300 });
        assert.deepEqual(await storage.idempotency.get('tenant:acme', 'k-1'), record);
        assert.equal(await storage.idempotency.pruneBefore(200), 1);
        assert.equal(await storage.idempotency.get('tenant:acme', 'k-1'), undefined);
        await storage.idempotency.delete('admin', 'k-1');
        assert.equal(await storage.idempotency.get('admin', 'k-1'), undefined);

        await assert.rejects(storage.transaction(async (repos) => {
          await repos.messages.upsert(message('T1'));
          await repos.outbound.enqueue([queued('T1', '01T')]);
          await repos.idempotency.create({ ...record, key: 'k-2' });
          await repos.idempotency.create({ ...record, key: 'k-2' });
        }), StorageConflictError);
        assert.equal(await storage.messages.get('s1', 'T1'), undefined);
        assert.equal((await storage.outbound.depth('s1')).depth, 0);
        assert.equal(await storage.idempotency.get('tenant:acme', 'k-2'), undefined);
      }));

    test('tenant pacing: set replaces, get round-trips, goes with the tenant', () =>
      ctx.withStorage(async (storage) => {
        await seed(storage);
        assert.equal(await storage.tenantPacing.get('acme'), undefined);
        await storage.tenantPacing.set('acme', { perMinute: 5, typing: true }, 1);
        await storage.tenantPacing.set('acme', { minGapMs: 2000 }, 2);
        assert.deepEqual(await storage.tenantPacing.get('acme'), { minGapMs: 2000 });
        await assert.rejects(storage.tenantPacing.set('nobody', {}, 3), 'the tenant must exist');
      }));
  });
}
