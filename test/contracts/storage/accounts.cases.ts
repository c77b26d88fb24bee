/** Users, refresh tokens, the audit log and message analytics. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StorageConflictError } from '../../../src/storage/ports.ts';
import type { RefreshTokenRecord, UserRecord } from '../../../src/domain/users.ts';
import type { AuditRecord } from '../../../src/domain/audit.ts';
import { emptyCounts } from '../../../src/domain/analytics.ts';
import { tenant, type StorageContext } from './harness.ts';

function user(id: string, overrides: Partial<UserRecord> = {}): UserRecord {
  return { id, tenantId: 'acme', email: `${id}@acme.test`, name: null, role: 'viewer', passwordHash: 'scrypt$15$8$1$salt$hash', disabledAt: null, createdAt: 1, updatedAt: 1, lastLoginAt: null, ...overrides };
}

function token(id: string, familyId: string, overrides: Partial<RefreshTokenRecord> = {}): RefreshTokenRecord {
  return { id, userId: 'u1', familyId, hash: `hash-${id}`, createdAt: 1, expiresAt: 1_000, rotatedAt: null, revokedAt: null, ...overrides };
}

function audit(n: number, overrides: Partial<AuditRecord> = {}): AuditRecord {
  return { id: `01JAUDIT${String(n).padStart(18, '0')}`, at: n * 10, actorType: 'key', actorId: 'k1', tenantId: 'acme', action: 'session.create', resource: `sessions/s${n}`, result: 'ok', statusCode: 201, requestId: `r${n}`, sourceIp: '127.0.0.1', ...overrides };
}

export function registerAccountCases(ctx: StorageContext): void {
  describe('users', () => {
    test('create, get by id and email, list per tenant or admins, update, delete; one account per email', () =>
      ctx.withStorage(async (storage) => {
        await storage.tenants.create(tenant('acme'));
        await storage.users.create(user('u1', { name: 'Ünïcode\u0000name' }));
        await storage.users.create(user('u2', { createdAt: 2, role: 'owner' }));
        await storage.users.create(user('admin', { tenantId: null, role: 'admin', createdAt: 3 }));
        assert.equal((await storage.users.get('u1'))?.name, 'Ünïcode\ufffdname');
        assert.equal((await storage.users.getByEmail('u2@acme.test'))?.id, 'u2');
        await assert.rejects(storage.users.create(user('u3', { email: 'u1@acme.test' })), StorageConflictError);
        assert.deepEqual((await storage.users.list({ tenantId: 'acme', limit: 10, offset: 0 })).items.map((u) => u.id), ['u1', 'u2']);
        assert.deepEqual((await storage.users.list({ tenantId: null, limit: 10, offset: 0 })).items.map((u) => u.id), ['admin']);
        const page = await storage.users.list({ limit: 1, offset: 1 });
        assert.deepEqual([page.items.map((u) => u.id), page.total], [['u2'], 3]);
        assert.equal(await storage.users.countByRole('owner', 'acme'), 1);
        const disabled = await storage.users.update('u2', { disabledAt: 50, role: 'operator' }, 60);
        assert.deepEqual([disabled?.disabledAt, disabled?.role, disabled?.updatedAt], [50, 'operator', 60]);
        assert.equal(await storage.users.countByRole('operator', 'acme'), 0, 'disabled users do not count');
        assert.equal(await storage.users.update('nope', { name: 'x' }, 1), undefined);
        assert.equal(await storage.users.delete('u1'), true);
        assert.equal(await storage.users.get('u1'), undefined);
      }));
  });

  describe('refresh tokens', () => {
    test('rotation happens once; a family or all of a user revoke together; expired ones are pruned', () =>
      ctx.withStorage(async (storage) => {
        await storage.tenants.create(tenant('acme'));
        await storage.users.create(user('u1'));
        await storage.refreshTokens.create(token('t1', 'f1'));
        await storage.refreshTokens.create(token('t2', 'f1', { expiresAt: 2_000 }));
        await storage.refreshTokens.create(token('t3', 'f2', { expiresAt: 50 }));
        assert.equal((await storage.refreshTokens.getByHash('hash-t1'))?.familyId, 'f1');
        assert.equal(await storage.refreshTokens.markRotated('t1', 10), true);
        assert.equal(await storage.refreshTokens.markRotated('t1', 11), false, 'a second rotation loses');
        assert.equal((await storage.refreshTokens.getByHash('hash-t1'))?.rotatedAt, 10);
        assert.equal(await storage.refreshTokens.familyActive('f1', 100), true);
        assert.equal(await storage.refreshTokens.revokeFamily('f1', 20), 2);
        assert.equal(await storage.refreshTokens.familyActive('f1', 100), false);
        assert.equal(await storage.refreshTokens.markRotated('t2', 21), false, 'revoked tokens do not rotate');
        assert.equal(await storage.refreshTokens.familyActive('f2', 100), false, 'expired');
        assert.equal(await storage.refreshTokens.pruneExpiredBefore(100), 1);
        await storage.refreshTokens.create(token('t4', 'f3', { expiresAt: 5_000 }));
        assert.equal(await storage.refreshTokens.revokeUser('u1', 30), 1);
        await storage.users.delete('u1');
        assert.equal(await storage.refreshTokens.getByHash('hash-t4'), undefined, 'they go with their user');
      }));
  });

  describe('audit log', () => {
    test('newest first, filtered by tenant, actor, exact action or prefix, resource prefix, time; cursor; pruning', () =>
      ctx.withStorage(async (storage) => {
        await storage.audit.append([
          audit(1),
          audit(2, { action: 'session.start', resource: 'sessions/s1' }),
          audit(3, { tenantId: 'globex', actorId: 'k2', action: 'webhook.delete', resource: 'webhooks/w_1%' }),
          audit(4, { actorType: 'anonymous', actorId: null, tenantId: null, action: 'auth.login', result: 'INVALID_CREDENTIALS', statusCode: 401, resource: 'users/x@y.z' }),
        ]);
        const ids = (rows: AuditRecord[]) => rows.map((r) => Number(r.id.slice(-2)));
        assert.deepEqual(ids(await storage.audit.list({ limit: 10 })), [4, 3, 2, 1]);
        assert.deepEqual(ids(await storage.audit.list({ tenantId: 'acme', limit: 10 })), [2, 1]);
        assert.deepEqual(ids(await storage.audit.list({ actorId: 'k2', limit: 10 })), [3]);
        assert.deepEqual(ids(await storage.audit.list({ action: 'session.*', limit: 10 })), [2, 1]);
        assert.deepEqual(ids(await storage.audit.list({ action: 'session.start', limit: 10 })), [2]);
        assert.deepEqual(ids(await storage.audit.list({ resource: 'sessions/s1', limit: 10 })), [2, 1], 'prefix');
        assert.deepEqual(ids(await storage.audit.list({ resource: 'webhooks/w_1%', limit: 10 })), [3], 'pattern characters are literal');
        assert.deepEqual(ids(await storage.audit.list({ resource: 'webhooks/wX', limit: 10 })), []);
        assert.deepEqual(ids(await storage.audit.list({ from: 20, to: 40, limit: 10 })), [3, 2]);
        assert.deepEqual(ids(await storage.audit.list({ before: audit(3).id, limit: 1 })), [2]);
        assert.deepEqual(await storage.audit.list({ action: 'auth.login', limit: 1 }), [audit(4, { actorType: 'anonymous', actorId: null, tenantId: null, action: 'auth.login', result: 'INVALID_CREDENTIALS', statusCode: 401, resource: 'users/x@y.z' })]);
        assert.equal(await storage.audit.pruneBefore(25), 2);
        assert.deepEqual(ids(await storage.audit.list({ limit: 10 })), [4, 3]);
      }));
  });

  describe('message analytics', () => {
    test('increments add up per session and hour; listed by range, tenant and session; pruned by age', () =>
      ctx.withStorage(async (storage) => {
        const row = (sessionId: string, bucketStart: number, counts: Partial<ReturnType<typeof emptyCounts>>) => ({ tenantId: sessionId === 'g1' ? 'globex' : 'acme', sessionId, bucketStart, ...emptyCounts(), ...counts });
        await storage.analytics.increment([row('s1', 0, { sent: 2 }), row('s1', 3_600_000, { received: 1 }), row('g1', 0, { failed: 1 })]);
        await storage.analytics.increment([row('s1', 0, { sent: 1, delivered: 2, webhookOk: 3 })]);
        const acme = await storage.analytics.list({ tenantId: 'acme', from: 0, to: 10_000_000 });
        assert.deepEqual(acme.map((r) => [r.sessionId, r.bucketStart, r.sent, r.delivered, r.received, r.webhookOk]), [['s1', 0, 3, 2, 0, 3], ['s1', 3_600_000, 0, 0, 1, 0]]);
        assert.deepEqual((await storage.analytics.list({ sessionId: 'g1', from: 0, to: 1 })).map((r) => r.failed), [1]);
        assert.deepEqual(await storage.analytics.list({ from: 3_600_001, to: 10_000_000 }), []);
        assert.equal(await storage.analytics.pruneBefore(3_600_000), 2);
      }));
  });
}
