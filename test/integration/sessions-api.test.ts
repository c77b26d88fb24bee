import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, eventually, type TestApp } from '../helpers/test-app.ts';

describe('session lifecycle over the HTTP API (fake engine)', () => {
  let t: TestApp;
  let key: string;
  before(async () => {
    t = await createTestApp();
    key = await t.tenantWithKey('acme');
  });
  after(() => t.close());

  const status = async (id: string) => (await t.request({ method: 'GET', url: `/v1/sessions/${id}`, key })).json().status as string;

  test('create → start → QR → scan → WORKING → stop → start resumes without QR', async () => {
    const created = await t.request({ method: 'POST', url: '/v1/sessions', key, payload: { id: 'sales', engine: 'fake', config: { metadata: { team: 'sales' } } } });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json().status, 'STOPPED');
    assert.equal(created.json().tenantId, 'acme');
    assert.deepEqual(created.json().config, { metadata: { team: 'sales' } });

    const noQr = await t.request({ method: 'GET', url: '/v1/sessions/sales/qr', key });
    assert.equal(noQr.statusCode, 409);
    assert.equal(noQr.json().error.code, 'QR_NOT_AVAILABLE');
    // A script asking for the picture must be able to tell it got an error, not save JSON as qr.png.
    for (const url of ['/v1/sessions/sales/qr', '/v1/sessions/sales/qr?format=png']) {
      const asImage = await t.request({ method: 'GET', url, key, headers: { accept: 'image/png' } });
      assert.equal(asImage.statusCode, 409, url);
      assert.match(String(asImage.headers['content-type']), /^application\/json/, url);
      assert.equal(asImage.json().error.code, 'QR_NOT_AVAILABLE', url);
      assert.match(asImage.json().error.message, /is STOPPED\. Start it and wait for status SCAN_QR/);
    }

    const started = await t.request({ method: 'POST', url: '/v1/sessions/sales/start', key });
    assert.equal(started.statusCode, 200);
    await eventually(() => status('sales'), (s) => s === 'SCAN_QR');

    const raw = await t.request({ method: 'GET', url: '/v1/sessions/sales/qr?format=raw', key });
    assert.equal(raw.statusCode, 200);
    assert.match(raw.body, /^fake-qr:sales:\d+$/);
    const png = await t.request({ method: 'GET', url: '/v1/sessions/sales/qr', key });
    assert.equal(png.headers['content-type'], 'image/png');
    assert.deepEqual([...png.rawPayload.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    const json = await t.request({ method: 'GET', url: '/v1/sessions/sales/qr?format=json', key });
    assert.equal(json.json().qr, raw.body);
    assert.match(json.json().dataUrl, /^data:image\/png;base64,/);

    const unhealthy = await t.request({ method: 'GET', url: '/v1/sessions/sales/health', key });
    assert.equal(unhealthy.statusCode, 503);
    assert.equal(unhealthy.json().healthy, false);

    await t.fake.sessions.get('sales')!.scan('15550002222');
    await eventually(() => status('sales'), (s) => s === 'WORKING');
    const session = (await t.request({ method: 'GET', url: '/v1/sessions/sales', key })).json();
    assert.equal(session.me.id, '15550002222@s.whatsapp.net');
    assert.equal(session.desiredState, 'running');
    const healthy = await t.request({ method: 'GET', url: '/v1/sessions/sales/health', key });
    assert.equal(healthy.statusCode, 200, healthy.body);
    assert.equal(healthy.json().healthy, true);

    // Start is idempotent: no second connection.
    const engineSession = t.fake.sessions.get('sales');
    await t.request({ method: 'POST', url: '/v1/sessions/sales/start', key });
    assert.equal(t.fake.sessions.get('sales'), engineSession);

    const stopped = await t.request({ method: 'POST', url: '/v1/sessions/sales/stop', key });
    assert.equal(stopped.json().status, 'STOPPED');
    assert.equal(stopped.json().desiredState, 'stopped');
    assert.equal((await t.request({ method: 'POST', url: '/v1/sessions/sales/stop', key })).statusCode, 200, 'stop is idempotent');

    await t.request({ method: 'POST', url: '/v1/sessions/sales/start', key });
    await eventually(() => status('sales'), (s) => s === 'WORKING');

    const types = t.events.filter((e) => e.sessionId === 'sales').map((e) => e.type);
    assert.ok(types.includes('session.qr'));
    assert.deepEqual(
      t.events.filter((e) => e.sessionId === 'sales' && e.type === 'session.status').map((e) => e.payload.status),
      ['STARTING', 'SCAN_QR', 'WORKING', 'STOPPED', 'STARTING', 'WORKING'],
    );
  });

  test('events are stored in the outbox with the status change', async () => {
    const stored = await t.wafleet.storage.events.list({ sessionId: 'sales', limit: 100 });
    assert.deepEqual(stored.map((e) => e.id), t.events.filter((e) => e.sessionId === 'sales').map((e) => e.id));
  });

  test('restart reconnects; logout wipes the login so the next start asks for a QR', async () => {
    const restarted = await t.request({ method: 'POST', url: '/v1/sessions/sales/restart', key });
    assert.equal(restarted.statusCode, 200);
    await eventually(() => status('sales'), (s) => s === 'WORKING');

    const loggedOut = await t.request({ method: 'POST', url: '/v1/sessions/sales/logout', key });
    assert.equal(loggedOut.json().status, 'LOGGED_OUT');
    assert.deepEqual(await t.wafleet.storage.authState.dump('sales'), []);
    assert.equal((await t.request({ method: 'POST', url: '/v1/sessions/sales/logout', key })).statusCode, 200, 'logout is idempotent');

    await t.request({ method: 'POST', url: '/v1/sessions/sales/start', key });
    await eventually(() => status('sales'), (s) => s === 'SCAN_QR');
  });

  test('pairing code for a phone number', async () => {
    const bad = await t.request({ method: 'POST', url: '/v1/sessions/sales/pairing-code', key, payload: { phone: 'call me' } });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.code, 'INVALID_PHONE_NUMBER');
    const ok = await t.request({ method: 'POST', url: '/v1/sessions/sales/pairing-code', key, payload: { phone: '+1 555 000 3333' } });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().code, 'FAKE3333');
  });

  test('list filters by status and pages', async () => {
    for (const id of ['p1', 'p2', 'p3']) {
      assert.equal((await t.request({ method: 'POST', url: '/v1/sessions', key, payload: { id, engine: 'fake' } })).statusCode, 201);
    }
    const stopped = (await t.request({ method: 'GET', url: '/v1/sessions?status=STOPPED&limit=2', key })).json();
    assert.equal(stopped.total, 3);
    assert.deepEqual(stopped.items.map((s: { id: string }) => s.id), ['p1', 'p2']);
    const next = (await t.request({ method: 'GET', url: '/v1/sessions?status=STOPPED&limit=2&offset=2', key })).json();
    assert.deepEqual(next.items.map((s: { id: string }) => s.id), ['p3']);
    const scanning = (await t.request({ method: 'GET', url: '/v1/sessions?status=SCAN_QR', key })).json();
    assert.deepEqual(scanning.items.map((s: { id: string }) => s.id), ['sales']);
  });

  test('quota: a tenant cannot exceed maxSessions', async () => {
    // acme has maxSessions 5 and 4 sessions.
    assert.equal((await t.request({ method: 'POST', url: '/v1/sessions', key, payload: { id: 'p4', engine: 'fake' } })).statusCode, 201);
    const over = await t.request({ method: 'POST', url: '/v1/sessions', key, payload: { id: 'p5', engine: 'fake' } });
    assert.equal(over.statusCode, 409);
    assert.equal(over.json().error.code, 'SESSION_QUOTA_EXCEEDED');
    assert.equal(await t.wafleet.storage.sessions.get('p5'), undefined);
  });

  test('update config and delete', async () => {
    const patched = await t.request({ method: 'PATCH', url: '/v1/sessions/p1', key, payload: { config: { proxy: 'http://proxy.local:8080' } } });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(patched.json().config.proxy, 'http://proxy.local:8080');
    assert.equal((await t.request({ method: 'DELETE', url: '/v1/sessions/p1', key })).statusCode, 204);
    assert.equal((await t.request({ method: 'GET', url: '/v1/sessions/p1', key })).statusCode, 404);
    assert.equal((await t.request({ method: 'DELETE', url: '/v1/sessions/p1', key })).statusCode, 404);
  });

  test('engine passthrough is refused unless allowlisted', async () => {
    const refused = await t.request({ method: 'POST', url: '/v1/sessions/sales/engine/echo', key, payload: { args: [1] } });
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().error.code, 'ENGINE_METHOD_NOT_ALLOWED');
  });
});
