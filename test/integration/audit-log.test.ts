/**
 * The audit log over the API: a row for each kind of change, by key or by user, with the result;
 * failed and successful logins; filters and cursor paging; tenant owners see only their tenant; no
 * secret in any row, and none in the log lines at info level.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createTestApp, eventually, type TestApp } from '../helpers/test-app.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { loadConfig } from '../../src/config/config.ts';
import { workingSession } from '../helpers/working-session.ts';
import { TEST_PASSWORD, userToken } from '../helpers/users.ts';

interface Row { action: string; actorType: string; actorId: string | null; tenantId: string | null; resource: string | null; result: string; statusCode: number; requestId: string | null; sourceIp: string | null }

describe('audit log', () => {
  let t: TestApp;
  let key: string;
  let keyId: string;
  let logs = '';
  const secrets: string[] = [];
  before(async () => {
    const sink = new Writable({ write(chunk, _encoding, done) { logs += chunk.toString(); done(); } });
    t = await createTestApp({ enableFakeEngine: true, webhooks: { ...loadConfig({}).webhooks, allowPrivateUrls: true } }, undefined, { logger: createLogger('info', sink) });
    key = await t.tenantWithKey('acme');
    secrets.push(key);
    keyId = (await t.wafleet.storage.apiKeys.listByTenant('acme'))[0]!.id;
  });
  after(() => t.close());

  async function rows(query = ''): Promise<Row[]> {
    const answer = await t.request({ method: 'GET', url: `/v1/audit?limit=500${query}` });
    assert.equal(answer.statusCode, 200, answer.body);
    return answer.json().items as Row[];
  }

  test('each kind of change is one row: actor, tenant, action, resource, result, request id, address', async () => {
    await workingSession(t, key, 'sales');
    await t.request({ method: 'POST', url: '/v1/sessions/sales/messages?mode=async', key, payload: { to: '15550001234', type: 'text', text: 'hello' } });
    await t.request({ method: 'POST', url: '/v1/sessions/sales/stop', key, headers: { 'x-request-id': 'req-stop-1' } });
    await t.request({ method: 'POST', url: '/v1/sessions', key, payload: { id: 'sales', engine: 'fake' } }); // 409
    const hook = (await t.request({ method: 'POST', url: '/v1/webhooks', key, payload: { url: 'http://127.0.0.1:9/hook' } })).json();
    secrets.push(hook.secret);
    await t.request({ method: 'PATCH', url: `/v1/webhooks/${hook.id}`, key, payload: { enabled: false } });
    await t.request({ method: 'DELETE', url: `/v1/webhooks/${hook.id}`, key });
    const newKey = (await t.request({ method: 'POST', url: '/v1/tenants/acme/keys', payload: { scopes: ['read'] } })).json();
    secrets.push(newKey.key);
    await t.request({ method: 'DELETE', url: `/v1/keys/${newKey.id}` });
    const owner = await userToken(t, 'owen@acme.test', 'owner', 'acme');
    secrets.push(owner.token);
    const viewer = (await t.request({ method: 'POST', url: '/v1/users', key: owner.token, payload: { email: 'vic@acme.test', password: TEST_PASSWORD, role: 'viewer' } })).json();
    await t.request({ method: 'POST', url: `/v1/users/${viewer.id}/disable`, key: owner.token });
    await t.request({ method: 'POST', url: `/v1/users/${viewer.id}/password`, key: owner.token, payload: { password: 'reset passphrase for vic' } });
    await t.request({ method: 'DELETE', url: `/v1/sessions/sales`, key: owner.token });
    await t.request({ method: 'DELETE', url: `/v1/users/${viewer.id}`, key: owner.token });

    const all = await rows();
    const find = (action: string, result = 'ok') => {
      const row = all.find((r) => r.action === action && r.result === result);
      assert.ok(row, `a ${action} row with result ${result}: ${JSON.stringify(all.map((r) => `${r.action}:${r.result}`))}`);
      return row;
    };
    assert.deepEqual(pick(find('session.create')), { actorType: 'key', actorId: keyId, tenantId: 'acme', resource: 'sessions/sales', statusCode: 201 });
    assert.equal(find('session.create', 'SESSION_EXISTS').statusCode, 409);
    assert.equal(find('message.send').resource?.startsWith('sessions/sales/messages/'), true);
    const stop = find('session.stop');
    assert.deepEqual([stop.requestId, stop.sourceIp], ['req-stop-1', '127.0.0.1']);
    assert.equal(find('webhook.create').resource, `webhooks/${hook.id}`);
    find('webhook.update');
    find('webhook.delete');
    assert.equal(find('key.create').tenantId, 'acme', 'an admin key acting on a tenant names that tenant');
    assert.equal(find('key.revoke').resource, `keys/${newKey.id}`);
    assert.deepEqual(pick(find('user.create')), { actorType: 'user', actorId: owner.id, tenantId: 'acme', resource: `users/${viewer.id}`, statusCode: 201 });
    find('user.disable');
    find('user.password');
    find('user.delete');
    assert.equal(find('session.delete').actorId, owner.id);
    assert.ok(all.every((r) => r.action !== 'session.list' && r.statusCode !== undefined), 'reads are not audited');
  });

  test('logins are recorded, successful and failed, without the password', async () => {
    await t.request({ method: 'POST', url: '/v1/auth/login', key: null, payload: { email: 'owen@acme.test', password: 'a wrong password attempt' } });
    const ok = await t.request({ method: 'POST', url: '/v1/auth/login', key: null, payload: { email: 'owen@acme.test', password: TEST_PASSWORD } });
    secrets.push(ok.json().accessToken, ok.json().refreshToken);
    const logins = await rows('&action=auth.login');
    const failed = logins.find((r) => r.result === 'INVALID_CREDENTIALS');
    assert.ok(failed);
    assert.deepEqual([failed.actorType, failed.resource], ['anonymous', 'users/owen@acme.test']);
    const owner = (await t.wafleet.storage.users.getByEmail('owen@acme.test'))!;
    assert.ok(logins.some((r) => r.result === 'ok' && r.actorId === owner.id && r.tenantId === 'acme'));
  });

  test('filters by action prefix, resource prefix and actor; pages by cursor, newest first', async () => {
    const sessions = await rows('&action=session.*');
    assert.ok(sessions.length >= 3 && sessions.every((r) => r.action.startsWith('session.')));
    const under = await rows('&resource=sessions/sales');
    assert.ok(under.some((r) => r.action === 'message.send') && under.every((r) => r.resource!.startsWith('sessions/sales')));
    const byKey = await rows(`&actor=${keyId}`);
    assert.ok(byKey.length > 0 && byKey.every((r) => r.actorId === keyId));
    const seen: string[] = [];
    let after = '';
    for (;;) {
      const page = (await t.request({ method: 'GET', url: `/v1/audit?limit=3${after}` })).json();
      seen.push(...page.items.map((r: { id: string }) => r.id));
      if (!page.next) break;
      after = `&after=${page.next}`;
    }
    const all = (await rows()).map((r) => (r as unknown as { id: string }).id);
    assert.deepEqual(seen, all, 'paging by cursor walks every row once, newest first');
    assert.deepEqual([...all].sort().reverse(), all);
  });

  test('a tenant owner reads only its tenant; operators, viewers and tenant keys may not read it', async () => {
    await t.tenantWithKey('globex');
    const owner = (await t.request({ method: 'POST', url: '/v1/auth/login', key: null, payload: { email: 'owen@acme.test', password: TEST_PASSWORD } })).json().accessToken as string;
    const mine = (await t.request({ method: 'GET', url: '/v1/audit?limit=500', key: owner })).json().items as Row[];
    assert.ok(mine.length > 0 && mine.every((r) => r.tenantId === 'acme'));
    assert.equal((await t.request({ method: 'GET', url: '/v1/audit', key })).statusCode, 403, 'a tenant key');
    const operator = await userToken(t, 'opal@acme.test', 'operator', 'acme');
    assert.equal((await t.request({ method: 'GET', url: '/v1/audit', key: operator.token })).statusCode, 403);
  });

  test('no secret in any audit row, nor in any log line', async () => {
    const all = JSON.stringify(await rows());
    const logged = await eventually(() => logs, (text) => text.length > 0);
    for (const secret of [...secrets, TEST_PASSWORD, 'reset passphrase for vic', 'a wrong password attempt']) {
      assert.ok(secret && !all.includes(secret), 'not in the audit log');
      assert.ok(!logged.includes(secret), 'not in the logs');
    }
    assert.doesNotMatch(all + logged, /wfr_|scrypt\$/, 'no refresh token or password hash anywhere');
  });
});

function pick(row: Row) {
  return { actorType: row.actorType, actorId: row.actorId, tenantId: row.tenantId, resource: row.resource, statusCode: row.statusCode };
}

describe('WAFLEET_AUDIT=false', () => {
  test('records nothing, and the API works as before', async () => {
    const t = await createTestApp({ enableFakeEngine: true, users: { ...loadConfig({ WAFLEET_AUDIT: 'false' }).users } });
    try {
      const key = await t.tenantWithKey('acme');
      const created = await t.request({ method: 'POST', url: '/v1/sessions', key, payload: { id: 'quiet' } });
      assert.equal(created.statusCode, 201, created.body);
      assert.equal((await t.request({ method: 'DELETE', url: '/v1/sessions/quiet', key })).statusCode, 204);
      assert.deepEqual((await t.request({ method: 'GET', url: '/v1/audit?limit=50' })).json().items, []);
    } finally {
      await t.close();
    }
  });
});
