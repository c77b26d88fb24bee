/** Tenants and API keys. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StorageConflictError } from '../../../src/storage/ports.ts';
import { apiKey, tenant, type StorageContext } from './harness.ts';

export function registerIdentityCases(ctx: StorageContext): void {
  describe('tenants', () => {
    test('create, get, list in creation order, update', () =>
      ctx.withStorage(async (storage) => {
        await storage.tenants.create(tenant('zeta', { createdAt: 1 }));
        await storage.tenants.create(tenant('alpha', { createdAt: 2, maxSessions: 0 }));
        assert.deepEqual(await storage.tenants.get('zeta'), tenant('zeta', { createdAt: 1 }));
        assert.equal(await storage.tenants.get('nope'), undefined);
        assert.deepEqual(
          (await storage.tenants.list()).map((t) => t.id),
          ['zeta', 'alpha'],
        );
        const updated = await storage.tenants.update('alpha', { maxSessions: 12 });
        assert.deepEqual(updated, tenant('alpha', { createdAt: 2, maxSessions: 12 }));
        assert.equal((await storage.tenants.update('alpha', { name: 'Renamed' }))?.name, 'Renamed');
        assert.equal((await storage.tenants.get('alpha'))?.maxSessions, 12, 'a name patch keeps maxSessions');
        assert.equal(await storage.tenants.update('nope', { name: 'x' }), undefined);
      }));

    test('duplicate id is a StorageConflictError and keeps the original', () =>
      ctx.withStorage(async (storage) => {
        await storage.tenants.create(tenant('acme'));
        await assert.rejects(storage.tenants.create(tenant('acme', { name: 'Other' })), StorageConflictError);
        assert.equal((await storage.tenants.get('acme'))?.name, 'Tenant acme');
      }));
  });

  describe('api keys', () => {
    test('create, get by id and by hash, list by tenant and admin keys', () =>
      ctx.withStorage(async (storage) => {
        await storage.tenants.create(tenant('acme'));
        const admin = apiKey('k-admin', null, { scopes: ['read', 'send', 'manage'] });
        const first = apiKey('k1', 'acme', { createdAt: 10 });
        const second = apiKey('k2', 'acme', { createdAt: 20, scopes: ['read'] });
        for (const key of [second, admin, first]) await storage.apiKeys.create(key);
        assert.deepEqual(await storage.apiKeys.get('k1'), first);
        assert.deepEqual(await storage.apiKeys.getByHash('hash-k2'), second);
        assert.equal(await storage.apiKeys.getByHash('hash-unknown'), undefined);
        assert.equal(await storage.apiKeys.get('unknown'), undefined);
        assert.deepEqual(await storage.apiKeys.listByTenant('acme'), [first, second]);
        assert.deepEqual(await storage.apiKeys.listByTenant(null), [admin]);
        assert.deepEqual(await storage.apiKeys.listByTenant('other'), []);
      }));

    test('revoke is idempotent and keeps the first time; touch records last use', () =>
      ctx.withStorage(async (storage) => {
        await storage.apiKeys.create(apiKey('k1', null));
        assert.equal(await storage.apiKeys.revoke('k1', 1000), true);
        assert.equal(await storage.apiKeys.revoke('k1', 2000), true);
        assert.equal((await storage.apiKeys.get('k1'))?.revokedAt, 1000);
        assert.equal(await storage.apiKeys.revoke('missing', 1000), false);
        await storage.apiKeys.touch('k1', 1_800_000_000_123);
        assert.equal((await storage.apiKeys.get('k1'))?.lastUsedAt, 1_800_000_000_123);
        await storage.apiKeys.touch('missing', 1); // no throw
      }));

    test('duplicate id or duplicate hash is a StorageConflictError', () =>
      ctx.withStorage(async (storage) => {
        await storage.apiKeys.create(apiKey('k1', null));
        await assert.rejects(storage.apiKeys.create(apiKey('k1', null, { hash: 'fresh' })), StorageConflictError);
        await assert.rejects(storage.apiKeys.create(apiKey('k2', null, { hash: 'hash-k1' })), StorageConflictError);
        assert.equal(await storage.apiKeys.get('k2'), undefined);
      }));

    test('a key of an unknown tenant is refused (foreign key), not a conflict', () =>
      ctx.withStorage(async (storage) => {
        await assert.rejects(storage.apiKeys.create(apiKey('k1', 'ghost')), (error: unknown) => {
          assert.ok(!(error instanceof StorageConflictError));
          return true;
        });
      }));
  });
}
