import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/** Every session route, as [method, url, payload]. */
const SESSION_ROUTES: Array<[string, string, unknown?]> = [
  ['GET', '/v1/sessions/a-main'],
  ['PATCH', '/v1/sessions/a-main', { config: { proxy: 'http://evil:1' } }],
  ['DELETE', '/v1/sessions/a-main'],
  ['POST', '/v1/sessions/a-main/start'],
  ['POST', '/v1/sessions/a-main/stop'],
  ['POST', '/v1/sessions/a-main/restart'],
  ['POST', '/v1/sessions/a-main/logout'],
  ['GET', '/v1/sessions/a-main/qr'],
  ['GET', '/v1/sessions/a-main/qr?format=raw'],
  ['POST', '/v1/sessions/a-main/pairing-code', { phone: '15550001111' }],
  ['GET', '/v1/sessions/a-main/health'],
  ['POST', '/v1/sessions/a-main/engine/echo', { args: [] }],
  ['POST', '/v1/sessions/a-main/messages', { to: '15550001111', type: 'text', text: 'hi' }],
  ['GET', '/v1/sessions/a-main/messages'],
  ['GET', '/v1/sessions/a-main/messages/SOMEID'],
  ['GET', '/v1/sessions/a-main/messages/SOMEID/media'],
  ['POST', '/v1/sessions/a-main/messages/read', { messageIds: ['SOMEID'] }],
  ['GET', '/v1/sessions/a-main/chats'],
  ['GET', '/v1/sessions/a-main/contacts'],
  ['POST', '/v1/sessions/a-main/contacts/check', { phones: ['15550001111'] }],
  ['GET', '/v1/sessions/a-main/contacts/15550001111/picture'],
  ['GET', '/v1/sessions/a-main/contacts/15550001111/status'],
  ['POST', '/v1/sessions/a-main/contacts/15550001111/block'],
  ['POST', '/v1/sessions/a-main/presence', { presence: 'available' }],
  ['POST', '/v1/sessions/a-main/presence/subscribe', { chatId: '15550001111' }],
  ['PUT', '/v1/sessions/a-main/profile/status', { text: 'hi' }],
  ['POST', '/v1/sessions/a-main/groups', { subject: 'x', participants: ['15550001111'] }],
  ['GET', '/v1/sessions/a-main/groups'],
  ['GET', '/v1/sessions/a-main/groups/123456789@g.us'],
  ['POST', '/v1/sessions/a-main/groups/123456789@g.us/leave'],
];

describe('tenants are walls', () => {
  let t: TestApp;
  let keyA: string;
  let keyB: string;
  let readA: string;
  before(async () => {
    t = await createTestApp({ engineAllowlist: ['echo'] });
    keyA = await t.tenantWithKey('tenant-a');
    keyB = await t.tenantWithKey('tenant-b');
    readA = await t.tenantWithKey('tenant-a', ['read']);
    const created = await t.request({ method: 'POST', url: '/v1/sessions', key: keyA, payload: { id: 'a-main', engine: 'fake', start: true } });
    assert.equal(created.statusCode, 201, created.body);
  });
  after(() => t.close());

  test("tenant B gets 404 SESSION_NOT_FOUND for every route of tenant A's session, and nothing changes", async () => {
    const before = await t.wafleet.storage.sessions.get('a-main');
    for (const [method, url, payload] of SESSION_ROUTES) {
      const response = await t.request({ method: method as 'GET', url, key: keyB, ...(payload ? { payload } : {}) });
      assert.equal(response.statusCode, 404, `${method} ${url}: ${response.body}`);
      assert.equal(response.json().error.code, 'SESSION_NOT_FOUND', `${method} ${url}`);
    }
    const unknown = await t.request({ method: 'GET', url: '/v1/sessions/does-not-exist', key: keyB });
    assert.deepEqual(
      { status: unknown.statusCode, code: unknown.json().error.code },
      { status: 404, code: 'SESSION_NOT_FOUND' },
      'a foreign session looks exactly like a missing one',
    );
    const afterwards = await t.wafleet.storage.sessions.get('a-main');
    assert.deepEqual(afterwards?.config, before?.config);
    assert.equal(afterwards?.status, before?.status);
  });

  test("tenant B's list does not show tenant A's sessions", async () => {
    const list = (await t.request({ method: 'GET', url: '/v1/sessions', key: keyB })).json();
    assert.equal(list.total, 0);
    const listA = (await t.request({ method: 'GET', url: '/v1/sessions', key: keyA })).json();
    assert.deepEqual(listA.items.map((s: { id: string }) => s.id), ['a-main']);
  });

  test('tenant B cannot create a session in tenant A', async () => {
    const response = await t.request({ method: 'POST', url: '/v1/sessions', key: keyB, payload: { id: 'sneaky', tenant: 'tenant-a', engine: 'fake' } });
    assert.equal(response.statusCode, 404);
    assert.equal(await t.wafleet.storage.sessions.get('sneaky'), undefined);
  });

  test('a read key can read but not manage', async () => {
    assert.equal((await t.request({ method: 'GET', url: '/v1/sessions/a-main', key: readA })).statusCode, 200);
    const manageOnly = SESSION_ROUTES.filter(([m, url]) => m !== 'GET' && !/contacts\/check|presence\/subscribe/.test(url));
    for (const [method, url, payload] of manageOnly) {
      const response = await t.request({ method: method as 'POST', url, key: readA, ...(payload ? { payload } : {}) });
      assert.equal(response.statusCode, 403, `${method} ${url}`);
      assert.equal(response.json().error.code, 'FORBIDDEN');
    }
    const create = await t.request({ method: 'POST', url: '/v1/sessions', key: readA, payload: { id: 'x1', engine: 'fake' } });
    assert.equal(create.statusCode, 403);
  });

  test('tenant keys cannot use admin routes', async () => {
    for (const [method, url, payload] of [
      ['GET', '/v1/tenants'],
      ['POST', '/v1/tenants', { id: 'mine' }],
      ['GET', '/v1/tenants/tenant-a'],
      ['POST', '/v1/tenants/tenant-a/keys', { scopes: ['manage'] }],
      ['DELETE', '/v1/keys/whatever'],
    ] as Array<[string, string, unknown?]>) {
      const response = await t.request({ method: method as 'GET', url, key: keyA, ...(payload ? { payload } : {}) });
      assert.equal(response.statusCode, 403, `${method} ${url}`);
    }
  });

  test('no key, a wrong key and a revoked key get 401', async () => {
    assert.equal((await t.request({ method: 'GET', url: '/v1/sessions', key: null })).json().error.code, 'UNAUTHORIZED');
    assert.equal((await t.request({ method: 'GET', url: '/v1/sessions', key: 'wfk_nope' })).statusCode, 401);
    const viaHeader = await t.request({ method: 'GET', url: '/v1/sessions', key: null, headers: { 'x-api-key': keyA } });
    assert.equal(viaHeader.statusCode, 200);
    const keys = (await t.request({ method: 'GET', url: '/v1/tenants/tenant-a/keys' })).json().items as Array<{ id: string; scopes: string[] }>;
    const readKey = keys.find((k) => k.scopes.length === 1)!;
    assert.equal((await t.request({ method: 'DELETE', url: `/v1/keys/${readKey.id}` })).statusCode, 204);
    const revoked = await t.request({ method: 'GET', url: '/v1/sessions', key: readA });
    assert.equal(revoked.statusCode, 401);
    assert.equal((await t.request({ method: 'DELETE', url: `/v1/keys/${readKey.id}` })).statusCode, 204, 'revoking is idempotent');
    assert.equal((await t.request({ method: 'DELETE', url: '/v1/keys/no-such-key' })).statusCode, 404);
  });

  test('key secrets are stored hashed and never listed', async () => {
    const keys = (await t.request({ method: 'GET', url: '/v1/tenants/tenant-a/keys' })).json().items as Array<Record<string, unknown>>;
    for (const key of keys) {
      assert.equal(key.key, undefined);
      assert.equal(key.hash, undefined);
    }
    const stored = await t.wafleet.storage.apiKeys.listByTenant('tenant-a');
    assert.ok(stored.every((record) => record.hash !== keyA && /^[0-9a-f]{64}$/.test(record.hash)));
  });
});
