import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, eventually, type TestApp } from '../helpers/test-app.ts';

describe('system endpoints', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
    const key = await t.tenantWithKey('acme');
    await t.request({ method: 'POST', url: '/v1/sessions', key, payload: { id: 'secret-session-id', engine: 'fake', start: true } });
    await eventually(async () => (await t.wafleet.storage.sessions.get('secret-session-id'))?.status, (s) => s === 'SCAN_QR');
  });
  after(() => t.close());

  test('/health and /ready answer without a key', async () => {
    assert.deepEqual((await t.request({ method: 'GET', url: '/health', key: null })).json(), { status: 'ok' });
    assert.deepEqual((await t.request({ method: 'GET', url: '/ready', key: null })).json(), { status: 'ready' });
  });

  test('/metrics reports sessions by status and engine, and HTTP durations, without session or tenant ids', async () => {
    const response = await t.request({ method: 'GET', url: '/metrics', key: null });
    assert.equal(response.statusCode, 200);
    assert.match(response.body, /wafleet_sessions\{status="SCAN_QR",engine="fake"\} 1/);
    assert.match(response.body, /wafleet_sessions\{status="WORKING",engine="fake"\} 0/);
    assert.match(response.body, /wafleet_http_request_duration_seconds_bucket\{.*route="\/v1\/sessions"/);
    assert.doesNotMatch(response.body, /secret-session-id|acme/);
  });

  test('OpenAPI document and Swagger UI', async () => {
    const doc = (await t.request({ method: 'GET', url: '/openapi.json', key: null })).json();
    assert.equal(doc.openapi.startsWith('3.'), true);
    for (const path of ['/v1/sessions', '/v1/sessions/{id}/qr', '/v1/tenants/{tenant}/keys', '/v1/sessions/{id}/pairing-code']) {
      assert.ok(doc.paths[path], `${path} documented`);
    }
    const ui = await t.request({ method: 'GET', url: '/docs/', key: null });
    assert.equal(ui.statusCode, 200);
    assert.match(ui.body, /swagger/i);
  });

  test('every response carries a request id; errors repeat it in the body', async () => {
    const response = await t.request({ method: 'GET', url: '/v1/sessions/nope' });
    assert.ok(response.headers['x-request-id']);
    assert.equal(response.json().error.requestId, response.headers['x-request-id']);
  });
});
