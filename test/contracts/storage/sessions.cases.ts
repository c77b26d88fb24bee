/** Sessions: CRUD, JSON fields, filters, paging, counts. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SessionRecord } from '../../../src/domain/records.ts';
import { StorageConflictError } from '../../../src/storage/ports.ts';
import { session, tenant, type StorageContext } from './harness.ts';

export function registerSessionCases(ctx: StorageContext): void {
  describe('sessions', () => {
    test('create and get round-trip every field, JSON included', () =>
      ctx.withStorage(async (storage) => {
        await storage.tenants.create(tenant('acme'));
        const record = session('s1', 'acme', {
          me: { id: '123@s.whatsapp.net', lid: '9@lid', name: 'Zoë' },
          statusReason: 'because',
          updatedAt: 1_800_000_000_000,
        });
        await storage.sessions.create(record);
        assert.deepEqual(await storage.sessions.get('s1'), record);
        assert.equal(await storage.sessions.get('s9'), undefined);
      }));

    test('duplicate id is a StorageConflictError', () =>
      ctx.withStorage(async (storage) => {
        await storage.tenants.create(tenant('acme'));
        await storage.sessions.create(session('s1', 'acme'));
        await assert.rejects(storage.sessions.create(session('s1', 'acme', { engine: 'other' })), StorageConflictError);
        assert.equal((await storage.sessions.get('s1'))?.engine, 'fake');
      }));

    test('update changes only the patched fields and sets updatedAt', () =>
      ctx.withStorage(async (storage) => {
        await storage.tenants.create(tenant('acme'));
        const original = session('s1', 'acme', { me: { id: 'me@s.whatsapp.net' }, statusReason: 'old' });
        await storage.sessions.create(original);
        const updated = await storage.sessions.update('s1', { status: 'WORKING', desiredState: 'running' }, 5);
        assert.deepEqual(updated, { ...original, status: 'WORKING', desiredState: 'running', updatedAt: 5 });
        const cleared = await storage.sessions.update('s1', { me: null, statusReason: null, config: {} }, 6);
        assert.deepEqual(cleared, { ...original, status: 'WORKING', desiredState: 'running', me: null, statusReason: null, config: {}, updatedAt: 6 });
        assert.deepEqual(await storage.sessions.get('s1'), cleared);
        assert.equal((await storage.sessions.update('s1', {}, 7))?.updatedAt, 7);
        assert.equal(await storage.sessions.update('missing', { status: 'WORKING' }, 8), undefined);
      }));

    test('delete reports whether a row went', () =>
      ctx.withStorage(async (storage) => {
        await storage.tenants.create(tenant('acme'));
        await storage.sessions.create(session('s1', 'acme'));
        assert.equal(await storage.sessions.delete('s1'), true);
        assert.equal(await storage.sessions.get('s1'), undefined);
        assert.equal(await storage.sessions.delete('s1'), false);
      }));

    test('list filters by tenant and status, pages in (createdAt, id) order with a total', () =>
      ctx.withStorage(async (storage) => {
        await storage.tenants.create(tenant('acme'));
        await storage.tenants.create(tenant('other'));
        // Same createdAt for several rows: the id breaks the tie, so pages are stable.
        const rows: SessionRecord[] = [
          session('c', 'acme', { createdAt: 100 }),
          session('a', 'acme', { createdAt: 100, status: 'WORKING' }),
          session('b', 'acme', { createdAt: 100 }),
          session('early', 'acme', { createdAt: 50, status: 'WORKING' }),
          session('late', 'acme', { createdAt: 200 }),
          session('x', 'other', { createdAt: 1 }),
        ];
        for (const row of rows) await storage.sessions.create(row);
        const ids = (page: { items: SessionRecord[] }): string[] => page.items.map((item) => item.id);

        const all = await storage.sessions.list({ limit: 100, offset: 0 });
        assert.deepEqual(ids(all), ['x', 'early', 'a', 'b', 'c', 'late']);
        assert.equal(all.total, 6);

        const acmePages = [0, 2, 4].map((offset) => storage.sessions.list({ tenantId: 'acme', limit: 2, offset }));
        const [p1, p2, p3] = await Promise.all(acmePages);
        assert.deepEqual([ids(p1!), ids(p2!), ids(p3!)], [['early', 'a'], ['b', 'c'], ['late']]);
        assert.deepEqual([p1!.total, p2!.total, p3!.total], [5, 5, 5]);

        const working = await storage.sessions.list({ tenantId: 'acme', status: 'WORKING', limit: 1, offset: 1 });
        assert.deepEqual(ids(working), ['a']);
        assert.equal(working.total, 2);

        const beyond = await storage.sessions.list({ tenantId: 'acme', limit: 10, offset: 50 });
        assert.deepEqual(beyond, { items: [], total: 5 });
        assert.deepEqual(await storage.sessions.list({ tenantId: 'none', limit: 10, offset: 0 }), { items: [], total: 0 });
      }));

    test('countByTenant, listDesiredRunning and countByStatus', () =>
      ctx.withStorage(async (storage) => {
        await storage.tenants.create(tenant('acme'));
        await storage.tenants.create(tenant('other'));
        await storage.sessions.create(session('s1', 'acme', { desiredState: 'running', status: 'WORKING', createdAt: 2 }));
        await storage.sessions.create(session('s2', 'acme', { status: 'WORKING', createdAt: 1 }));
        await storage.sessions.create(session('s3', 'other', { desiredState: 'running', engine: 'baileys', createdAt: 1 }));
        assert.equal(await storage.sessions.countByTenant('acme'), 2);
        assert.equal(await storage.sessions.countByTenant('none'), 0);
        assert.deepEqual(
          (await storage.sessions.listDesiredRunning()).map((s) => s.id),
          ['s3', 's1'],
        );
        assert.deepEqual(await storage.sessions.countByStatus(), [
          { status: 'STOPPED', engine: 'baileys', count: 1 },
          { status: 'WORKING', engine: 'fake', count: 2 },
        ]);
      }));

    test('U+0000 in free text (tenant name, status reason) is stored as U+FFFD on every driver', () =>
      ctx.withStorage(async (storage) => {
        await storage.tenants.create(tenant('acme', { name: 'A\u0000B' }));
        assert.equal((await storage.tenants.get('acme'))?.name, 'A\ufffdB');
        await storage.sessions.create(session('s1', 'acme', { statusReason: 'engine said \u0000' }));
        assert.equal((await storage.sessions.get('s1'))?.statusReason, 'engine said \ufffd');
        await storage.sessions.update('s1', { statusReason: '\u0000' }, 2);
        assert.equal((await storage.sessions.get('s1'))?.statusReason, '\ufffd');
      }));

    test('a session of an unknown tenant is refused', () =>
      ctx.withStorage(async (storage) => {
        await assert.rejects(storage.sessions.create(session('s1', 'ghost')));
        assert.equal(await storage.sessions.get('s1'), undefined);
      }));
  });
}
