/**
 * Custom webhook headers carry the receiver's credentials: stored sealed, shown by name only, sent
 * with their real values; rows an earlier version stored in clear are sealed at the next start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createTestApp, eventually } from '../helpers/test-app.ts';
import { Receiver } from './webhooks-receiver.ts';
import { createHook, fastWebhooks, workingSession } from './webhooks-fixtures.ts';

const CREDENTIALS = { Authorization: 'Bearer rx-secret-123', 'X-Api-Key': 'k-456' };

test('custom headers: sealed at rest, redacted in every answer, delivered with their real values, kept through a redacted PATCH', async (t) => {
  const receiver = await new Receiver().start();
  t.after(() => receiver.stop());
  const app = await createTestApp({ webhooks: fastWebhooks() });
  t.after(() => app.close());
  await app.wafleet.resume();
  const key = await app.tenantWithKey('acme');

  const created = await app.request({ method: 'POST', url: '/v1/webhooks', key, payload: { url: receiver.url, events: ['session.status'], headers: CREDENTIALS } });
  assert.equal(created.statusCode, 201, created.body);
  const id = created.json().id as string;
  const redacted = { Authorization: '[redacted]', 'X-Api-Key': '[redacted]' };
  assert.deepEqual(created.json().headers, redacted);
  assert.deepEqual((await app.request({ method: 'GET', url: `/v1/webhooks/${id}`, key })).json().headers, redacted);
  assert.deepEqual((await app.request({ method: 'GET', url: '/v1/webhooks', key })).json().items[0].headers, redacted);
  const stored = (await app.wafleet.storage.webhooks.get(id))!.headers;
  assert.doesNotMatch(stored, /rx-secret-123|k-456|Authorization/, 'nothing readable in the row');

  await workingSession(app, key, 'hd1');
  const first = await eventually(() => receiver.received, (r) => r.length > 0);
  assert.equal(first[0]!.headers.authorization, 'Bearer rx-secret-123');
  assert.equal(first[0]!.headers['x-api-key'], 'k-456');

  // Sent back as shown, a value is kept; a header left out is dropped; a new one is taken.
  const patched = await app.request({ method: 'PATCH', url: `/v1/webhooks/${id}`, key, payload: { headers: { authorization: '[redacted]', 'X-Region': 'eu' } } });
  assert.equal(patched.statusCode, 200, patched.body);
  assert.deepEqual(patched.json().headers, { authorization: '[redacted]', 'X-Region': '[redacted]' });
  const unknown = await app.request({ method: 'PATCH', url: `/v1/webhooks/${id}`, key, payload: { headers: { 'X-Other': '[redacted]' } } });
  assert.equal(unknown.statusCode, 400);
  assert.equal(unknown.json().error.code, 'VALIDATION_FAILED');
  assert.match(unknown.json().error.message, /X-Other.*send the real value/);
  const onCreate = await app.request({ method: 'POST', url: '/v1/webhooks', key, payload: { url: receiver.url, headers: { Authorization: '[redacted]' } } });
  assert.equal(onCreate.statusCode, 400, 'a new webhook has no stored value to keep');

  const before = receiver.received.length;
  await app.request({ method: 'POST', url: '/v1/sessions/hd1/stop', key });
  const later = await eventually(() => receiver.received.slice(before), (r) => r.length > 0);
  assert.equal(later[0]!.headers.authorization, 'Bearer rx-secret-123');
  assert.equal(later[0]!.headers['x-region'], 'eu');
  assert.equal(later[0]!.headers['x-api-key'], undefined);
});

test('custom headers an earlier version stored in clear are sealed at the next start and still delivered', async (t) => {
  const receiver = await new Receiver().start();
  t.after(() => receiver.stop());
  const dir = mkdtempSync(join(tmpdir(), 'wafleet-headers-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = { masterKey: randomBytes(32).toString('base64'), webhooks: fastWebhooks() };

  const first = await createTestApp(config, dir);
  const key = await first.tenantWithKey('acme');
  const hook = await createHook(first, key, { url: receiver.url, events: ['session.status'] });
  // What an earlier version left in the row: the headers as a JSON object in clear.
  await first.wafleet.storage.webhooks.update(hook.id, { headers: JSON.stringify({ Authorization: 'Bearer legacy-789' }) }, Date.now());
  assert.deepEqual((await first.request({ method: 'GET', url: `/v1/webhooks/${hook.id}`, key })).json().headers, { Authorization: '[redacted]' }, 'clear rows read fine meanwhile');
  await first.close();

  const second = await createTestApp(config, dir);
  t.after(() => second.close());
  const stored = (await second.wafleet.storage.webhooks.get(hook.id))!.headers;
  assert.doesNotMatch(stored, /legacy-789|Authorization/, 'sealed at start');
  await second.wafleet.resume();
  await workingSession(second, key, 'lg1');
  const received = await eventually(() => receiver.received, (r) => r.length > 0);
  assert.equal(received[0]!.headers.authorization, 'Bearer legacy-789');
});
