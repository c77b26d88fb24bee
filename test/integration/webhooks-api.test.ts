/** /v1/webhooks: levels, tenant walls on every route, scopes, SSRF refusal, bad input → registry codes with nothing written. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { createHook, deliveriesOf, fastWebhooks, webhookApp, workingSession } from './webhooks-fixtures.ts';
import { Receiver } from './webhooks-receiver.ts';
import { verify } from '../../src/webhooks/signer.ts';

const URL_OK = 'http://127.0.0.1:9/hook';

describe('webhooks API', () => {
  let t: TestApp;
  let acme: string;
  let globex: string;
  let acmeRead: string;
  before(async () => {
    t = await webhookApp();
    acme = await t.tenantWithKey('acme');
    globex = await t.tenantWithKey('globex');
    acmeRead = await t.tenantWithKey('acme', ['read', 'send']);
    await workingSession(t, acme, 'a1');
    await workingSession(t, globex, 'g1');
  });
  after(() => t.close());

  test('levels: a tenant key creates tenant and session webhooks; an admin also global ones; secrets show once', async () => {
    const tenantHook = await t.request({ method: 'POST', url: '/v1/webhooks', key: acme, payload: { url: URL_OK, events: ['message.*'] } });
    assert.equal(tenantHook.statusCode, 201);
    assert.equal(tenantHook.json().level, 'tenant');
    assert.equal(tenantHook.json().tenantId, 'acme');
    assert.match(tenantHook.json().secret, /^whsec_/);
    const sessionHook = await t.request({ method: 'POST', url: '/v1/webhooks', key: acme, payload: { url: URL_OK, session: 'a1', secret: 'my-own-secret-0123456789' } });
    assert.equal(sessionHook.json().level, 'session');
    assert.equal(sessionHook.json().secret, 'my-own-secret-0123456789');
    const global = await t.request({ method: 'POST', url: '/v1/webhooks', payload: { url: URL_OK } });
    assert.equal(global.json().level, 'global');
    assert.equal(global.json().tenantId, null);
    const got = await t.request({ method: 'GET', url: `/v1/webhooks/${tenantHook.json().id as string}`, key: acme });
    assert.equal(got.statusCode, 200);
    assert.equal(got.json().secret, undefined, 'the secret is never shown again');
    const list = await t.request({ method: 'GET', url: '/v1/webhooks', key: acme });
    const ids = (list.json().items as Array<{ id: string }>).map((w) => w.id);
    assert.ok(ids.includes(tenantHook.json().id) && ids.includes(sessionHook.json().id));
    assert.ok(!ids.includes(global.json().id), 'tenants do not see global webhooks');
    const all = await t.request({ method: 'GET', url: '/v1/webhooks' });
    assert.ok((all.json().items as Array<{ id: string }>).some((w) => w.id === global.json().id));
    const patched = await t.request({ method: 'PATCH', url: `/v1/webhooks/${tenantHook.json().id as string}`, key: acme, payload: { enabled: false, events: ['session.status'] } });
    assert.equal(patched.json().enabled, false);
    assert.deepEqual(patched.json().events, ['session.status']);
  });

  test('tenant walls: another tenant\'s webhook and its deliveries answer 404 on every route', async () => {
    const hook = await createHook(t, globex, { url: URL_OK });
    const deliveryId = '01JZZZZZZZZZZZZZZZZZZZZZZZ';
    const routes: Array<{ method: 'GET' | 'PATCH' | 'DELETE' | 'POST'; url: string; payload?: object }> = [
      { method: 'GET', url: `/v1/webhooks/${hook.id}` },
      { method: 'PATCH', url: `/v1/webhooks/${hook.id}`, payload: { enabled: false } },
      { method: 'DELETE', url: `/v1/webhooks/${hook.id}` },
      { method: 'GET', url: `/v1/webhooks/${hook.id}/deliveries` },
      { method: 'POST', url: `/v1/webhooks/${hook.id}/deliveries/${deliveryId}/redeliver` },
      { method: 'POST', url: `/v1/webhooks/${hook.id}/replay`, payload: { from: 0 } },
      { method: 'POST', url: `/v1/webhooks/${hook.id}/test` },
      { method: 'GET', url: `/v1/webhooks/dead-letters?webhook=${hook.id}` },
      { method: 'POST', url: '/v1/webhooks/dead-letters/retry', payload: { webhook: hook.id } },
    ];
    for (const route of routes) {
      const res = await t.request({ ...route, key: acme });
      assert.equal(res.statusCode, 404, `${route.method} ${route.url}`);
      assert.equal(res.json().error.code, 'WEBHOOK_NOT_FOUND');
    }
    const global = await createHook(t, null as unknown as string, { url: URL_OK }).catch(() => undefined);
    assert.equal(global, undefined);
    const adminGlobal = (await t.request({ method: 'POST', url: '/v1/webhooks', payload: { url: URL_OK } })).json().id as string;
    assert.equal((await t.request({ method: 'GET', url: `/v1/webhooks/${adminGlobal}`, key: acme })).statusCode, 404);
    // Another tenant's session cannot carry our webhook.
    const foreignSession = await t.request({ method: 'POST', url: '/v1/webhooks', key: acme, payload: { url: URL_OK, session: 'g1' } });
    assert.equal(foreignSession.statusCode, 404);
    assert.equal(foreignSession.json().error.code, 'SESSION_NOT_FOUND');
    const foreignTenant = await t.request({ method: 'POST', url: '/v1/webhooks', key: acme, payload: { url: URL_OK, tenant: 'globex' } });
    assert.equal(foreignTenant.statusCode, 404);
    // The webhook is untouched.
    assert.equal((await t.request({ method: 'GET', url: `/v1/webhooks/${hook.id}`, key: globex })).json().enabled, true);
    // A delivery of our own webhook named under another webhook id is not found either.
    const own = await createHook(t, acme, { url: URL_OK });
    assert.equal((await t.request({ method: 'POST', url: `/v1/webhooks/${own.id}/deliveries/${deliveryId}/redeliver`, key: acme })).json().error.code, 'DELIVERY_NOT_FOUND');
  });

  test('read keys get 403 on every webhook route', async () => {
    const hook = await createHook(t, acme, { url: URL_OK });
    for (const route of [
      { method: 'POST' as const, url: '/v1/webhooks', payload: { url: URL_OK } },
      { method: 'GET' as const, url: '/v1/webhooks' },
      { method: 'GET' as const, url: `/v1/webhooks/${hook.id}` },
      { method: 'PATCH' as const, url: `/v1/webhooks/${hook.id}`, payload: { enabled: false } },
      { method: 'DELETE' as const, url: `/v1/webhooks/${hook.id}` },
      { method: 'GET' as const, url: `/v1/webhooks/${hook.id}/deliveries` },
      { method: 'POST' as const, url: `/v1/webhooks/${hook.id}/replay`, payload: { from: 0 } },
      { method: 'POST' as const, url: `/v1/webhooks/${hook.id}/test` },
      { method: 'GET' as const, url: '/v1/webhooks/dead-letters' },
      { method: 'POST' as const, url: '/v1/webhooks/dead-letters/retry', payload: {} },
    ]) {
      const res = await t.request({ ...route, key: acmeRead });
      assert.equal(res.statusCode, 403, `${route.method} ${route.url}`);
      assert.equal(res.json().error.code, 'FORBIDDEN');
    }
    assert.equal((await t.request({ method: 'GET', url: '/v1/webhooks', key: null })).statusCode, 401);
  });

  test('test: one signed webhook.test POST now, with the custom headers; the answer says how it went; nothing is stored', async () => {
    const receiver = await new Receiver().start();
    try {
      const hook = await createHook(t, acme, { url: receiver.url, events: ['message.received'], headers: { 'X-Team': 'support' } });
      const eventsBefore = (await t.request({ method: 'GET', url: '/v1/events', key: acme })).json().items.length;
      const ok = await t.request({ method: 'POST', url: `/v1/webhooks/${hook.id}/test`, key: acme });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(ok.json().delivered, true);
      assert.equal(ok.json().statusCode, 200);
      assert.equal(ok.json().error, null);
      const [got] = receiver.received;
      assert.equal(got!.body.type, 'webhook.test', 'sent although the webhook subscribes to message.received only');
      assert.equal(got!.body.id, ok.json().eventId);
      assert.equal(got!.headers['x-team'], 'support');
      assert.ok(verify(hook.secret, String(got!.headers['x-wafleet-timestamp']), got!.raw, String(got!.headers['x-wafleet-signature']), Math.floor(Date.now() / 1000)), 'signed with the webhook secret');
      assert.deepEqual(await deliveriesOf(t, acme, hook.id), [], 'no delivery log row');
      assert.equal((await t.request({ method: 'GET', url: '/v1/events', key: acme })).json().items.length, eventsBefore, 'no event in the log');

      receiver.answer = () => ({ status: 500 });
      const failing = (await t.request({ method: 'POST', url: `/v1/webhooks/${hook.id}/test`, key: acme })).json();
      assert.equal(failing.delivered, false);
      assert.equal(failing.statusCode, 500);
      assert.match(failing.error, /500/);
      await receiver.stop();
      const down = (await t.request({ method: 'POST', url: `/v1/webhooks/${hook.id}/test`, key: acme })).json();
      assert.equal(down.delivered, false);
      assert.equal(down.statusCode, null);
      assert.match(down.error, /ECONNREFUSED|ECONNRESET/);
    } finally {
      await receiver.stop();
    }
  });

  test('bad input answers 4xx with a registry code and writes nothing', async () => {
    const countBefore = (await t.wafleet.storage.webhooks.list({})).length;
    const cases: Array<[object, number, string]> = [
      [{}, 400, 'VALIDATION_FAILED'],
      [{ url: 'not a url' }, 400, 'WEBHOOK_URL_INVALID'],
      [{ url: 'ftp://127.0.0.1/x' }, 400, 'WEBHOOK_URL_INVALID'],
      [{ url: URL_OK, events: [] }, 400, 'VALIDATION_FAILED'],
      [{ url: URL_OK, events: ['Message Received'] }, 400, 'VALIDATION_FAILED'],
      [{ url: URL_OK, headers: { 'X-Wafleet-Signature': 'x' } }, 400, 'WEBHOOK_HEADER_NOT_ALLOWED'],
      [{ url: URL_OK, headers: { 'Content-Type': 'text/plain' } }, 400, 'WEBHOOK_HEADER_NOT_ALLOWED'],
      [{ url: URL_OK, headers: { 'bad header': 'x' } }, 400, 'VALIDATION_FAILED'],
      [{ url: URL_OK, headers: { 'X-Ok': 'a\r\nInjected: 1' } }, 400, 'VALIDATION_FAILED'],
      [{ url: URL_OK, secret: 'short' }, 400, 'VALIDATION_FAILED'],
      [{ url: URL_OK, surprise: true }, 400, 'VALIDATION_FAILED'],
      [{ url: URL_OK, session: 'missing-session' }, 404, 'SESSION_NOT_FOUND'],
    ];
    for (const [payload, status, code] of cases) {
      const res = await t.request({ method: 'POST', url: '/v1/webhooks', key: acme, payload });
      assert.equal(res.statusCode, status, JSON.stringify(payload));
      assert.equal(res.json().error.code, code, JSON.stringify(payload));
    }
    const admin = await t.request({ method: 'POST', url: '/v1/webhooks', payload: { url: URL_OK, tenant: 'nope' } });
    assert.equal(admin.json().error.code, 'TENANT_NOT_FOUND');
    const hook = await createHook(t, acme, { url: URL_OK });
    const badPatch = await t.request({ method: 'PATCH', url: `/v1/webhooks/${hook.id}`, key: acme, payload: { url: 'gopher://x' } });
    assert.equal(badPatch.json().error.code, 'WEBHOOK_URL_INVALID');
    assert.equal((await t.request({ method: 'PATCH', url: `/v1/webhooks/${hook.id}`, key: acme, payload: {} })).statusCode, 400);
    assert.equal((await t.request({ method: 'POST', url: `/v1/webhooks/${hook.id}/replay`, key: acme, payload: {} })).json().error.code, 'VALIDATION_FAILED');
    assert.equal((await t.request({ method: 'POST', url: `/v1/webhooks/${hook.id}/replay`, key: acme, payload: { after: 'nope' } })).statusCode, 400);
    assert.equal((await t.request({ method: 'GET', url: `/v1/webhooks/${hook.id}/deliveries?status=lost`, key: acme })).statusCode, 400);
    assert.equal((await t.request({ method: 'GET', url: `/v1/webhooks/${hook.id}`, key: acme })).json().url, URL_OK);
    assert.equal((await t.wafleet.storage.webhooks.list({})).length, countBefore + 1, 'only the valid one was written');
  });
});

describe('SSRF guard', () => {
  test('private and loopback targets are refused unless WAFLEET_ALLOW_PRIVATE_URLS is set', async () => {
    const t = await createTestApp({ webhooks: fastWebhooks({ allowPrivateUrls: false }) });
    try {
      const key = await t.tenantWithKey('acme');
      for (const url of ['http://127.0.0.1:8080/x', 'http://10.1.2.3/x', 'http://[::1]/x', 'http://169.254.169.254/latest/meta-data', 'http://localhost/x']) {
        const res = await t.request({ method: 'POST', url: '/v1/webhooks', key, payload: { url } });
        assert.equal(res.statusCode, 400, url);
        assert.equal(res.json().error.code, 'URL_NOT_ALLOWED', url);
      }
      const unresolvable = await t.request({ method: 'POST', url: '/v1/webhooks', key, payload: { url: 'http://does-not-resolve.invalid/x' } });
      assert.equal(unresolvable.json().error.code, 'WEBHOOK_URL_INVALID');
      assert.equal((await t.wafleet.storage.webhooks.list({})).length, 0);
    } finally {
      await t.close();
    }
  });
});
