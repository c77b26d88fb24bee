import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

describe('bad input gets a clear 4xx with a registry code and changes nothing', () => {
  let t: TestApp;
  let key: string;
  before(async () => {
    t = await createTestApp({ bodyLimitBytes: 4096 });
    key = await t.tenantWithKey('acme');
  });
  after(() => t.close());

  async function expectRejected(
    request: Parameters<TestApp['request']>[0],
    status: number,
    code: string,
    messagePattern?: RegExp,
  ): Promise<void> {
    const sessionsBefore = await t.wafleet.storage.sessions.list({ limit: 100, offset: 0 });
    const tenantsBefore = await t.wafleet.storage.tenants.list();
    const response = await t.request(request);
    assert.equal(response.statusCode, status, `${request.method} ${request.url}: ${response.body}`);
    const body = response.json();
    assert.equal(body.error.code, code);
    assert.ok(body.error.requestId);
    if (messagePattern) assert.match(body.error.message, messagePattern);
    assert.deepEqual(await t.wafleet.storage.sessions.list({ limit: 100, offset: 0 }), sessionsBefore);
    assert.deepEqual(await t.wafleet.storage.tenants.list(), tenantsBefore);
  }

  test('malformed JSON', async () => {
    await expectRejected({ method: 'POST', url: '/v1/sessions', key, headers: { 'content-type': 'application/json' }, payload: '{"id": "x",' }, 400, 'INVALID_JSON');
  });

  test('numbers that parse to Infinity are refused, not a 500', async () => {
    await expectRejected({ method: 'GET', url: '/v1/sessions?offset=1e309', key }, 400, 'VALIDATION_FAILED', /offset/);
    await expectRejected({ method: 'GET', url: '/v1/sessions?limit=-1e309', key }, 400, 'VALIDATION_FAILED', /limit/);
    await expectRejected({ method: 'POST', url: '/v1/webhooks/w1/replay', key, payload: '{"from":1e999}', headers: { 'content-type': 'application/json' } }, 400, 'VALIDATION_FAILED', /from/);
  });

  test('unknown fields are named', async () => {
    await expectRejected({ method: 'POST', url: '/v1/sessions', key, payload: { id: 'x', engine: 'fake', colour: 'red' } }, 400, 'VALIDATION_FAILED', /colour/);
    await expectRejected({ method: 'POST', url: '/v1/sessions', key, payload: { id: 'x', engine: 'fake', config: { proxyy: 'a' } } }, 400, 'VALIDATION_FAILED', /proxyy/);
    await expectRejected({ method: 'POST', url: '/v1/tenants', payload: { id: 'x', maxSesions: 3 } }, 400, 'VALIDATION_FAILED', /maxSesions/);
  });

  test('wrong types name the field', async () => {
    await expectRejected({ method: 'POST', url: '/v1/sessions', key, payload: { id: 'x', engine: 'fake', start: 'yes please' } }, 400, 'VALIDATION_FAILED', /start/);
    await expectRejected({ method: 'POST', url: '/v1/tenants', payload: { id: 'x', maxSessions: -1 } }, 400, 'VALIDATION_FAILED', /maxSessions/);
    await expectRejected({ method: 'GET', url: '/v1/sessions?limit=0', key }, 400, 'VALIDATION_FAILED', /limit/);
    await expectRejected({ method: 'GET', url: '/v1/sessions?status=DANCING', key }, 400, 'VALIDATION_FAILED', /status/);
  });

  test('oversized bodies', async () => {
    await expectRejected({ method: 'POST', url: '/v1/sessions', key, payload: { id: 'x', engine: 'fake', config: { metadata: { blob: 'x'.repeat(5000) } } } }, 413, 'PAYLOAD_TOO_LARGE');
  });

  test('bad ids', async () => {
    await expectRejected({ method: 'POST', url: '/v1/sessions', key, payload: { id: 'Not A Slug!', engine: 'fake' } }, 400, 'VALIDATION_FAILED', /id/);
    await expectRejected({ method: 'POST', url: '/v1/tenants', payload: { id: '../etc' } }, 400, 'VALIDATION_FAILED', /id/);
    await expectRejected({ method: 'GET', url: '/v1/sessions/..%2Fetc', key }, 404, 'SESSION_NOT_FOUND');
  });

  test('bad phone numbers', async () => {
    assert.equal((await t.request({ method: 'POST', url: '/v1/sessions', key, payload: { id: 'phone', engine: 'fake', start: true } })).statusCode, 201);
    for (const phone of ['12', 'abcdefghij', '+0 555 1234', '1234567890123456789']) {
      await expectRejected({ method: 'POST', url: '/v1/sessions/phone/pairing-code', key, payload: { phone } }, 400, 'INVALID_PHONE_NUMBER', /country code/);
    }
  });

  test('unknown engine, unknown tenant, duplicate ids', async () => {
    await expectRejected({ method: 'POST', url: '/v1/sessions', key, payload: { id: 'x', engine: 'telegram' } }, 400, 'ENGINE_NOT_FOUND', /telegram/);
    await expectRejected({ method: 'POST', url: '/v1/sessions', payload: { id: 'x', tenant: 'nobody', engine: 'fake' } }, 404, 'TENANT_NOT_FOUND');
    await expectRejected({ method: 'POST', url: '/v1/sessions', payload: { id: 'x', engine: 'fake' } }, 400, 'VALIDATION_FAILED', /tenant/);
    await expectRejected({ method: 'POST', url: '/v1/sessions', key, payload: { id: 'phone', engine: 'fake' } }, 409, 'SESSION_EXISTS');
    await expectRejected({ method: 'POST', url: '/v1/tenants', payload: { id: 'acme' } }, 409, 'TENANT_EXISTS');
  });

  test('unknown routes and wrong content types', async () => {
    await expectRejected({ method: 'GET', url: '/v1/nothing-here', key }, 404, 'NOT_FOUND');
    await expectRejected({ method: 'POST', url: '/v1/sessions', key, headers: { 'content-type': 'text/xml' }, payload: '<id/>' }, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });
});
