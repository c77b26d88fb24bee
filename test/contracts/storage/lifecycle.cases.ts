/** Transactions, persistence, ping/close, migrations. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createStorage, migrate, type CreateStorageOptions, type MigrateResult } from '../../../src/storage/create-storage.ts';
import type { Repositories } from '../../../src/storage/ports.ts';
import { migrationsFor } from '../../../src/storage/shared/migrations/index.ts';
import { StorageConflictError } from '../../../src/storage/ports.ts';
import { buf, event, seed, session, tenant, type StorageContext } from './harness.ts';

class Boom extends Error {}

/** Every migration, in the order a fresh database gets them. */
const ALL_MIGRATIONS = Object.keys(migrationsFor('sqlite')).sort();

const execFileAsync = promisify(execFile);
const CHILD = fileURLToPath(new URL('./migrate.child.ts', import.meta.url));

async function runMigrateChild(options: CreateStorageOptions, startAt: number): Promise<MigrateResult> {
  const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(options), String(startAt)]);
  return JSON.parse(stdout) as MigrateResult;
}

/** The quota check the session service does: count, then insert, in one transaction. */
async function createWithinQuota(repos: Repositories, id: string): Promise<void> {
  const owner = await repos.tenants.get('acme');
  const count = await repos.sessions.countByTenant('acme');
  if (count >= (owner?.maxSessions ?? 0)) throw new Boom('quota');
  await new Promise((resolve) => setTimeout(resolve, 20)); // widen the race window
  await repos.sessions.create(session(id, 'acme'));
}

export function registerLifecycleCases(ctx: StorageContext): void {
  describe('transactions', () => {
    test('commit: writes of every repository become visible together and the value is returned', () =>
      ctx.withStorage(async (storage) => {
        const result = await storage.transaction(async (repos) => {
          await repos.tenants.create(tenant('acme'));
          await repos.sessions.create(session('s1', 'acme'));
          await repos.events.append([event(1)]);
          await repos.authState.write('s1', [{ category: 'creds', keyId: 'creds', value: buf('c') }]);
          assert.equal(await repos.sessions.countByTenant('acme'), 1, 'reads see the transaction’s own writes');
          return 'done';
        });
        assert.equal(result, 'done');
        assert.ok(await storage.sessions.get('s1'));
        assert.equal((await storage.events.list({ limit: 10 })).length, 1);
        assert.equal((await storage.authState.dump('s1')).length, 1);
      }));

    test('rollback on throw: nothing written, the error reaches the caller', () =>
      ctx.withStorage(async (storage) => {
        await seed(storage);
        await assert.rejects(
          storage.transaction(async (repos) => {
            await repos.tenants.create(tenant('beta'));
            await repos.sessions.update('s1', { status: 'WORKING' }, 99);
            await repos.events.append([event(1)]);
            await repos.authState.write('s1', [{ category: 'creds', keyId: 'creds', value: buf('c') }]);
            await repos.apiKeys.create({ id: 'k', tenantId: 'beta', name: 'k', scopes: ['read'], hash: 'h', createdAt: 1, revokedAt: null, lastUsedAt: null });
            throw new Boom('abort');
          }),
          Boom,
        );
        assert.equal(await storage.tenants.get('beta'), undefined);
        assert.equal((await storage.sessions.get('s1'))?.status, 'STOPPED');
        assert.deepEqual(await storage.events.list({ limit: 10 }), []);
        assert.deepEqual(await storage.authState.dump('s1'), []);
        assert.equal(await storage.apiKeys.get('k'), undefined);
        // The store is still usable afterwards.
        await storage.tenants.create(tenant('beta'));
      }));

    test('a conflict inside a transaction rolls back its earlier writes', () =>
      ctx.withStorage(async (storage) => {
        await seed(storage);
        await assert.rejects(
          storage.transaction(async (repos) => {
            await repos.tenants.create(tenant('beta'));
            await repos.sessions.create(session('s1', 'acme'));
          }),
          StorageConflictError,
        );
        assert.equal(await storage.tenants.get('beta'), undefined);
      }));

    test('concurrent count-then-insert transactions respect a quota', () =>
      ctx.withStorage(async (storage) => {
        await storage.tenants.create(tenant('acme', { maxSessions: 1 }));
        const outcomes = await Promise.allSettled(
          ['q1', 'q2', 'q3'].map((id) => storage.transaction((repos) => createWithinQuota(repos, id))),
        );
        assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
        assert.equal(await storage.sessions.countByTenant('acme'), 1);
      }));
  });

  describe('lifecycle and migrations', () => {
    test('ping answers; close is idempotent', async () => {
      const target = await ctx.newTarget();
      try {
        const storage = await createStorage(target.options);
        assert.equal(storage.driver, ctx.driver);
        await storage.ping();
        await Promise.all([storage.close(), storage.close()]);
        await storage.close();
      } finally {
        await target.drop();
      }
    });

    test('data persists across close and reopen', () =>
      ctx.withStorage(async (storage, target) => {
        await seed(storage);
        await storage.events.append([event(1)]);
        await storage.authState.write('s1', [{ category: 'creds', keyId: 'creds', value: buf('persisted') }]);
        await storage.close();
        const reopened = await createStorage(target.options);
        try {
          assert.equal((await reopened.sessions.list({ limit: 10, offset: 0 })).total, 2);
          assert.deepEqual(await reopened.events.list({ limit: 10 }), [event(1)]);
          assert.deepEqual((await reopened.authState.get('s1', 'creds', ['creds'])).get('creds'), buf('persisted'));
        } finally {
          await reopened.close();
        }
      }));

    test('migrations apply once; running them again is a no-op', async () => {
      const target = await ctx.newTarget();
      try {
        const first = await migrate(target.options);
        assert.equal(first.driver, ctx.driver);
        assert.deepEqual(first.applied, ALL_MIGRATIONS);
        assert.equal(ALL_MIGRATIONS[0], '0001-initial');
        assert.deepEqual((await migrate(target.options)).applied, []);
        const storage = await createStorage(target.options);
        await storage.tenants.create(tenant('acme'));
        await storage.close();
        assert.deepEqual((await migrate(target.options)).applied, []);
      } finally {
        await target.drop();
      }
    });

    test('processes starting together on one fresh database all succeed, migrating once', async () => {
      const target = await ctx.newTarget();
      try {
        const startAt = Date.now() + 1500; // after every child has loaded, so they really overlap
        const results = await Promise.all([0, 1, 2].map(() => runMigrateChild(target.options, startAt)));
        assert.deepEqual(results.map((r) => r.driver), [ctx.driver, ctx.driver, ctx.driver]);
        assert.deepEqual(results.flatMap((r) => r.applied), ALL_MIGRATIONS);
        const storage = await createStorage(target.options);
        await storage.tenants.create(tenant('acme'));
        await storage.close();
      } finally {
        await target.drop();
      }
    });

    // One process per SQLite file (see open-sqlite.ts): in-process concurrency applies to PostgreSQL.
    test('concurrent createStorage calls in one process share a fresh database', { skip: ctx.driver === 'sqlite' ? 'one Storage per SQLite file per process' : false }, async () => {
      const target = await ctx.newTarget();
      try {
        const stores = await Promise.all([0, 1, 2].map(() => createStorage(target.options)));
        try {
          await stores[0]!.tenants.create(tenant('acme'));
          for (const store of stores) assert.equal((await store.tenants.get('acme'))?.id, 'acme');
        } finally {
          await Promise.all(stores.map((store) => store.close()));
        }
        assert.deepEqual((await migrate(target.options)).applied, []);
      } finally {
        await target.drop();
      }
    });
  });
}
