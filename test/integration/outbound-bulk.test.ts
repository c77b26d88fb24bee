/**
 * Bulk sends (progress, per-recipient results, pause/resume/cancel, paced like single sends, driven by
 * a controllable clock) and bulk session operations (per-session results, tenant walls).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, eventually, type TestApp } from '../helpers/test-app.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { workingSession } from '../helpers/working-session.ts';

const names = ['Ann', 'Bob', 'Cid', 'Dee', 'Eve'];
const recipients = names.map((name, i) => ({ to: `1555000100${i}`, variables: { name } }));

describe('bulk sends', () => {
  let t: TestApp;
  let key: string;
  let otherKey: string;
  const clock = new ManualClock();
  before(async () => {
    t = await createTestApp({ rateLimit: { rps: 0, burst: 1, redisUrl: undefined } }, undefined, { clock });
    key = await t.tenantWithKey('acme');
    otherKey = await t.tenantWithKey('globex');
    await workingSession(t, key, 'b1', { pacing: { perMinute: 2 } });
  });
  after(() => t.close());

  const job = (id: string, as = key) => t.request({ method: 'GET', url: `/v1/sessions/b1/bulk-messages/${id}`, key: as });
  const control = (id: string, action: string) => t.request({ method: 'POST', url: `/v1/sessions/b1/bulk-messages/${id}/${action}`, key });
  const sentTexts = () => t.fake.sessions.get('b1')!.sent.map((m) => (m.content.type === 'text' ? m.content.text : ''));
  const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

  test('a job with {{variables}}: progress, pause, resume, cancel, per-recipient results', async () => {
    const created = await t.request({ method: 'POST', url: '/v1/sessions/b1/bulk-messages', key, payload: { recipients, message: { type: 'text', text: 'Hi {{ name }}, your order shipped' } }, headers: { 'idempotency-key': 'bulk-1' } });
    assert.equal(created.statusCode, 202, created.body);
    const { id, total, status } = created.json();
    assert.deepEqual([total, status], [5, 'running']);

    await eventually(async () => (await job(id)).json().progress.sent, (n) => n === 2);
    assert.deepEqual(sentTexts(), ['Hi Ann, your order shipped', 'Hi Bob, your order shipped'], 'paced: 2 per minute');
    assert.equal((await control(id, 'pause')).json().status, 'paused');
    clock.advance(60_000);
    await settle();
    assert.equal(sentTexts().length, 2, 'a paused job sends nothing');

    const replay = await t.request({ method: 'POST', url: '/v1/sessions/b1/bulk-messages', key, payload: { recipients, message: { type: 'text', text: 'Hi {{ name }}, your order shipped' } }, headers: { 'idempotency-key': 'bulk-1' } });
    assert.equal(replay.json().id, id, 'the same key and body return the same job');
    assert.equal(replay.headers['idempotent-replayed'], 'true');

    assert.equal((await control(id, 'resume')).json().status, 'running');
    await eventually(async () => (await job(id)).json().progress.sent, (n) => n === 4);
    const cancelled = await control(id, 'cancel');
    assert.equal(cancelled.json().status, 'cancelled');
    assert.deepEqual(cancelled.json().progress, { queued: 0, sent: 4, delivered: 0, read: 0, failed: 1, done: 5 });
    clock.advance(120_000);
    await settle();
    assert.equal(sentTexts().length, 4);

    const items = (await t.request({ method: 'GET', url: `/v1/sessions/b1/bulk-messages/${id}/items`, key })).json().items;
    assert.deepEqual(items.map((i: any) => [i.index, i.recipient, i.status]), names.map((_, i) => [i, `1555000100${i}@s.whatsapp.net`, i < 4 ? 'sent' : 'failed']));
    assert.equal(items[4].statusReason, 'bulk job cancelled');
    assert.equal((await control(id, 'resume')).json().error.code, 'BULK_JOB_STATE_CONFLICT');
    const list = (await t.request({ method: 'GET', url: '/v1/sessions/b1/bulk-messages', key })).json().items;
    assert.deepEqual(list.map((j: any) => j.id), [id]);
  });

  test('a job whose messages all went out is completed', async () => {
    clock.advance(60_000);
    const created = await t.request({ method: 'POST', url: '/v1/sessions/b1/bulk-messages', key, payload: { recipients: recipients.slice(0, 2), message: { type: 'location', location: { latitude: 1, longitude: 2 } } } });
    assert.equal(created.statusCode, 202, created.body);
    await eventually(async () => (await job(created.json().id)).json().status, (s) => s === 'completed');
  });

  test('tenant walls and bad input: 4xx with a registry code, no job, no message, nothing queued', async () => {
    const created = await t.request({ method: 'POST', url: '/v1/sessions/b1/bulk-messages', key, payload: { recipients: recipients.slice(0, 1), message: { type: 'text', text: 'x' } } });
    const id = created.json().id;
    assert.equal((await job(id, otherKey)).json().error.code, 'SESSION_NOT_FOUND');
    assert.equal((await job('01NOSUCHJOB')).json().error.code, 'BULK_JOB_NOT_FOUND');

    const before = [(await t.wafleet.storage.messages.list({ sessionId: 'b1', limit: 500 })).length, (await t.wafleet.storage.bulkJobs.listBySession('b1', 100)).length];
    const bad: Array<[object, number, string]> = [
      [{ recipients, message: { type: 'text', text: 'Hi {{nickname}}' } }, 400, 'VALIDATION_FAILED'],
      [{ recipients: [...recipients, { to: 'nobody' }], message: { type: 'text', text: 'Hi' } }, 400, 'INVALID_RECIPIENT'],
      [{ recipients, message: { type: 'reaction', emoji: '👍' } }, 400, 'VALIDATION_FAILED'],
      [{ recipients: [], message: { type: 'text', text: 'Hi' } }, 400, 'VALIDATION_FAILED'],
      [{ recipients, message: { type: 'text', text: 'Hi', extra: 1 } }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [payload, status, code] of bad) {
      const response = await t.request({ method: 'POST', url: '/v1/sessions/b1/bulk-messages', key, payload });
      assert.equal(response.statusCode, status, response.body);
      assert.equal(response.json().error.code, code);
    }
    const other = await t.request({ method: 'POST', url: '/v1/sessions/b1/bulk-messages', key: otherKey, payload: { recipients, message: { type: 'text', text: 'Hi' } } });
    assert.equal(other.json().error.code, 'SESSION_NOT_FOUND');
    assert.deepEqual([(await t.wafleet.storage.messages.list({ sessionId: 'b1', limit: 500 })).length, (await t.wafleet.storage.bulkJobs.listBySession('b1', 100)).length], before);
  });
});

describe('bulk session operations', () => {
  let t: TestApp;
  let key: string;
  let otherKey: string;
  before(async () => {
    t = await createTestApp();
    key = await t.tenantWithKey('acme');
    otherKey = await t.tenantWithKey('globex');
    for (const id of ['s-a', 's-b']) await t.request({ method: 'POST', url: '/v1/sessions', key, payload: { id, engine: 'fake' } });
    await t.request({ method: 'POST', url: '/v1/sessions', key: otherKey, payload: { id: 's-other', engine: 'fake' } });
  });
  after(() => t.close());

  const bulk = (payload: object, as = key) => t.request({ method: 'POST', url: '/v1/bulk/sessions', key: as, payload });
  const status = async (id: string) => (await t.wafleet.storage.sessions.get(id))?.status;

  test('start by ids: a result per session; another tenant\'s session is "not found" and untouched', async () => {
    const response = await bulk({ action: 'start', ids: ['s-a', 's-b', 's-other', 'missing'] });
    assert.equal(response.statusCode, 200, response.body);
    const results = response.json().results;
    assert.deepEqual(results.map((r: any) => [r.id, r.ok, r.error?.code]), [
      ['s-a', true, undefined], ['s-b', true, undefined], ['s-other', false, 'SESSION_NOT_FOUND'], ['missing', false, 'SESSION_NOT_FOUND'],
    ]);
    await eventually(() => status('s-a'), (s) => s === 'SCAN_QR');
    assert.equal(await status('s-other'), 'STOPPED');
  });

  test('stop by status filter stays inside the tenant; admin keys reach every tenant', async () => {
    await eventually(() => status('s-b'), (s) => s === 'SCAN_QR');
    await t.request({ method: 'POST', url: '/v1/sessions/s-other/start', key: otherKey });
    await eventually(() => status('s-other'), (s) => s === 'SCAN_QR');
    const response = await bulk({ action: 'stop', status: 'SCAN_QR' });
    assert.deepEqual(response.json().results.map((r: any) => [r.id, r.ok, r.status]).sort(), [['s-a', true, 'STOPPED'], ['s-b', true, 'STOPPED']]);
    assert.equal(await status('s-other'), 'SCAN_QR', 'the other tenant was not touched');
    const admin = await t.request({ method: 'POST', url: '/v1/bulk/sessions', payload: { action: 'restart', ids: ['s-other'] } });
    assert.deepEqual(admin.json().results.map((r: any) => [r.id, r.ok]), [['s-other', true]]);
  });

  test('bad input and missing scope: 4xx, nothing changes', async () => {
    const readOnly = await t.tenantWithKey('acme', ['read', 'send']);
    const cases: Array<[object, string | undefined, number, string]> = [
      [{ action: 'start', ids: ['s-a'] }, readOnly, 403, 'FORBIDDEN'],
      [{ action: 'start' }, key, 400, 'VALIDATION_FAILED'],
      [{ action: 'start', ids: ['s-a'], status: 'STOPPED' }, key, 400, 'VALIDATION_FAILED'],
      [{ action: 'explode', ids: ['s-a'] }, key, 400, 'VALIDATION_FAILED'],
      [{ action: 'start', ids: [] }, key, 400, 'VALIDATION_FAILED'],
    ];
    for (const [payload, as, code, error] of cases) {
      const response = await bulk(payload, as);
      assert.equal(response.statusCode, code, response.body);
      assert.equal(response.json().error.code, error);
    }
    assert.equal(await status('s-a'), 'STOPPED');
  });
});
