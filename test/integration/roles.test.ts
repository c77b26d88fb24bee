/**
 * Every role against every resource, over the API with the users' own access tokens: admin
 * (platform), and per tenant owner, operator, viewer. The same scope checks guard users and keys.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { loadConfig } from '../../src/config/config.ts';
import { workingSession } from '../helpers/working-session.ts';
import { userToken } from '../helpers/users.ts';

type Role = 'admin' | 'owner' | 'operator' | 'viewer';
const ROLES: Role[] = ['admin', 'owner', 'operator', 'viewer'];

interface Case {
  what: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string | ((role: Role) => string);
  payload?: (role: Role) => object;
  /** Expected status per role. */
  expect: Record<Role, number>;
}

let n = 0;
const unique = (prefix: string) => `${prefix}-${++n}`;

const CASES: Case[] = [
  { what: 'list sessions', method: 'GET', url: '/v1/sessions', expect: { admin: 200, owner: 200, operator: 200, viewer: 200 } },
  { what: 'read a session', method: 'GET', url: '/v1/sessions/acme-live', expect: { admin: 200, owner: 200, operator: 200, viewer: 200 } },
  { what: 'create a session', method: 'POST', url: '/v1/sessions', payload: (role) => ({ id: unique(role), engine: 'fake', ...(role === 'admin' ? { tenant: 'acme' } : {}) }), expect: { admin: 201, owner: 201, operator: 201, viewer: 403 } },
  { what: 'restart a session', method: 'POST', url: '/v1/sessions/acme-idle/stop', expect: { admin: 200, owner: 200, operator: 200, viewer: 403 } },
  { what: 'send a message', method: 'POST', url: '/v1/sessions/acme-live/messages?mode=async', payload: () => ({ to: '15550001234', type: 'text', text: 'hi' }), expect: { admin: 202, owner: 202, operator: 202, viewer: 403 } },
  { what: 'read messages', method: 'GET', url: '/v1/sessions/acme-live/messages', expect: { admin: 200, owner: 200, operator: 200, viewer: 200 } },
  { what: 'list webhooks', method: 'GET', url: '/v1/webhooks', expect: { admin: 200, owner: 200, operator: 200, viewer: 403 } },
  { what: 'create a webhook', method: 'POST', url: '/v1/webhooks', payload: (role) => ({ url: 'http://127.0.0.1:9/hook', ...(role === 'admin' ? { tenant: 'acme' } : {}) }), expect: { admin: 201, owner: 201, operator: 201, viewer: 403 } },
  { what: 'read events', method: 'GET', url: '/v1/events', expect: { admin: 200, owner: 200, operator: 200, viewer: 200 } },
  { what: 'read analytics', method: 'GET', url: '/v1/analytics/messages', expect: { admin: 200, owner: 200, operator: 200, viewer: 200 } },
  { what: 'list users', method: 'GET', url: '/v1/users', expect: { admin: 200, owner: 200, operator: 403, viewer: 403 } },
  { what: 'create a user', method: 'POST', url: '/v1/users', payload: (role) => ({ email: `${unique(role)}@acme.test`, password: 'another fine passphrase', role: 'viewer', ...(role === 'admin' ? { tenant: 'acme' } : {}) }), expect: { admin: 201, owner: 201, operator: 403, viewer: 403 } },
  { what: 'list keys', method: 'GET', url: '/v1/tenants/acme/keys', expect: { admin: 200, owner: 200, operator: 403, viewer: 403 } },
  { what: 'create a key', method: 'POST', url: '/v1/tenants/acme/keys', payload: () => ({ scopes: ['read'] }), expect: { admin: 201, owner: 201, operator: 403, viewer: 403 } },
  { what: 'read the audit log', method: 'GET', url: '/v1/audit', expect: { admin: 200, owner: 200, operator: 403, viewer: 403 } },
  { what: 'list tenants', method: 'GET', url: '/v1/tenants', expect: { admin: 200, owner: 403, operator: 403, viewer: 403 } },
  { what: 'create a tenant', method: 'POST', url: '/v1/tenants', payload: (role) => ({ id: unique(`t-${role}`) }), expect: { admin: 201, owner: 403, operator: 403, viewer: 403 } },
  { what: 'delete a session', method: 'DELETE', url: (role) => `/v1/sessions/doomed-${role}`, expect: { admin: 204, owner: 204, operator: 204, viewer: 403 } },
];

describe('roles × resources', () => {
  let t: TestApp;
  const tokens = {} as Record<Role, string>;
  const ids = {} as Record<Role, string>;
  before(async () => {
    t = await createTestApp({ enableFakeEngine: true, webhooks: { ...loadConfig({}).webhooks, allowPrivateUrls: true } });
    const acme = await t.tenantWithKey('acme');
    await t.request({ method: 'PATCH', url: '/v1/tenants/acme', payload: { maxSessions: 50 } });
    await t.tenantWithKey('globex');
    await workingSession(t, acme, 'acme-live');
    await t.request({ method: 'POST', url: '/v1/sessions', key: acme, payload: { id: 'acme-idle', engine: 'fake' } });
    for (const role of ROLES) await t.request({ method: 'POST', url: '/v1/sessions', key: acme, payload: { id: `doomed-${role}`, engine: 'fake' } });
    for (const role of ROLES) {
      const user = await userToken(t, `${role}@acme.test`, role, role === 'admin' ? undefined : 'acme');
      tokens[role] = user.token;
      ids[role] = user.id;
    }
  });
  after(() => t.close());

  for (const c of CASES) {
    test(`${c.what}: ${ROLES.map((r) => `${r} ${c.expect[r]}`).join(', ')}`, async () => {
      for (const role of ROLES) {
        const url = typeof c.url === 'function' ? c.url(role) : c.url;
        const answer = await t.request({ method: c.method, url, key: tokens[role], ...(c.payload ? { payload: c.payload(role) } : {}) });
        assert.equal(answer.statusCode, c.expect[role], `${role} ${c.method} ${url}: ${answer.body}`);
        if (answer.statusCode === 403) assert.equal(answer.json().error.code, 'FORBIDDEN');
      }
    });
  }

  test('an owner manages only its own tenant: another tenant’s users, keys and audit rows are "not found"', async () => {
    const globexUser = (await t.request({ method: 'POST', url: '/v1/users', payload: { email: 'gus@globex.test', password: 'globex passphrase here', role: 'viewer', tenant: 'globex' } })).json();
    const owner = tokens.owner;
    assert.equal((await t.request({ method: 'GET', url: `/v1/users/${globexUser.id}`, key: owner })).statusCode, 404);
    assert.equal((await t.request({ method: 'POST', url: `/v1/users/${globexUser.id}/disable`, key: owner })).statusCode, 404);
    assert.equal((await t.request({ method: 'GET', url: '/v1/users?tenant=globex', key: owner })).statusCode, 404);
    assert.equal((await t.request({ method: 'POST', url: '/v1/users', key: owner, payload: { email: 'x@globex.test', password: 'globex passphrase here', role: 'viewer', tenant: 'globex' } })).statusCode, 404);
    assert.equal((await t.request({ method: 'GET', url: '/v1/tenants/globex/keys', key: owner })).statusCode, 404);
    assert.equal((await t.request({ method: 'GET', url: '/v1/audit?tenant=globex', key: owner })).statusCode, 404);
    const listed = (await t.request({ method: 'GET', url: '/v1/users', key: owner })).json();
    assert.ok(listed.items.every((u: { tenantId: string }) => u.tenantId === 'acme'));
    assert.equal((await t.request({ method: 'GET', url: '/v1/sessions/acme-live', key: (await userToken(t, 'gina@globex.test', 'owner', 'globex')).token })).statusCode, 404, 'sessions too');
    assert.equal(await t.wafleet.storage.users.get(globexUser.id).then((u) => u?.disabledAt), null, 'nothing changed');
  });

  test('an owner cannot make admins or change its own role; nobody disables or deletes themselves', async () => {
    const owner = tokens.owner;
    const admin = await t.request({ method: 'POST', url: '/v1/users', key: owner, payload: { email: 'sneaky@acme.test', password: 'sneaky passphrase here', role: 'admin' } });
    assert.equal(admin.statusCode, 403);
    for (const [method, url, payload] of [['PATCH', `/v1/users/${ids.owner}`, { role: 'viewer' }], ['POST', `/v1/users/${ids.owner}/disable`, undefined], ['DELETE', `/v1/users/${ids.owner}`, undefined]] as const) {
      const answer = await t.request({ method, url, key: owner, ...(payload ? { payload } : {}) });
      assert.deepEqual([answer.statusCode, answer.json().error.code], [409, 'USER_SELF_CHANGE'], `${method} ${url}`);
    }
    const promoted = await t.request({ method: 'PATCH', url: `/v1/users/${ids.viewer}`, key: owner, payload: { role: 'admin' } });
    assert.equal(promoted.statusCode, 400);
  });

  test('an owner revokes its tenant’s keys but not another tenant’s', async () => {
    const own = (await t.request({ method: 'POST', url: '/v1/tenants/acme/keys', key: tokens.owner, payload: { scopes: ['read'] } })).json();
    assert.match(own.key, /^wfk_/);
    const foreign = (await t.request({ method: 'POST', url: '/v1/tenants/globex/keys', payload: { scopes: ['read'] } })).json();
    assert.equal((await t.request({ method: 'DELETE', url: `/v1/keys/${foreign.id}`, key: tokens.owner })).statusCode, 404);
    assert.equal((await t.request({ method: 'GET', url: '/v1/sessions', key: foreign.key })).statusCode, 200, 'the foreign key still works');
    assert.equal((await t.request({ method: 'DELETE', url: `/v1/keys/${own.id}`, key: tokens.owner })).statusCode, 204);
    assert.equal((await t.request({ method: 'GET', url: '/v1/sessions', key: own.key })).statusCode, 401);
  });
});
