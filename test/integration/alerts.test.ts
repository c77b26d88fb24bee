/**
 * Built-in alerting through the API with the fake engine: sessions logged out by the phone fire one
 * grouped alert (not one per session) that reaches a JSON webhook, a Slack-compatible webhook and
 * email over SMTP (smtp-server on loopback) once; it resolves once; acknowledge, silence, tenant
 * walls, events in the normal pipeline, and the metric.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { createTestApp, eventually, type TestApp } from '../helpers/test-app.ts';
import { workingSession } from '../helpers/working-session.ts';
import { Receiver } from './webhooks-receiver.ts';

interface Mail {
  to: string[];
  data: string;
}

async function startSmtp(): Promise<{ mails: Mail[]; url: string; close(): Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, done) {
      let data = '';
      stream.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address), data });
        done();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = (server as unknown as { server: { address(): AddressInfo } }).server.address();
  return { mails, url: `smtp://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('built-in alerts', () => {
  let t: TestApp;
  let key: string;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  const generic = new Receiver();
  const slack = new Receiver();
  const notices = (receiver: Receiver) => receiver.received.map((r) => r.body as unknown as { type: string; alert: { count: number; rule: string }; text?: string });

  before(async () => {
    smtp = await startSmtp();
    await generic.start();
    await slack.start();
    t = await createTestApp({
      enableFakeEngine: true,
      alerts: { intervalMs: 3_600_000, retentionMs: 86_400_000, retryDelaysMs: [50, 50], smtpUrl: smtp.url, emailFrom: 'wafleet@example.com' },
      webhooks: { timeoutMs: 5000, retryBaseMs: 10, retryMaxMs: 20, retryWindowMs: 60_000, concurrency: 4, endpointConcurrency: 2, pollMs: 50, settleMs: 0, allowPrivateUrls: true },
    });
    key = await t.tenantWithKey('acme');
    for (const [type, body] of [
      ['webhook', { url: generic.url }],
      ['slack', { url: slack.url }],
      ['email', { to: ['ops@example.com'] }],
    ] as const) {
      const created = await t.request({ method: 'POST', url: '/v1/alert-channels', key, payload: { type, ...body } });
      assert.equal(created.statusCode, 201, created.body);
    }
  });
  after(async () => {
    await t.close();
    await generic.stop();
    await slack.stop();
    await smtp.close();
  });

  const evaluate = () => t.wafleet.alerts.evaluator.evaluate();
  const alerts = async (k = key) => (await t.request({ method: 'GET', url: '/v1/alerts', key: k })).json().items as Array<Record<string, any>>;

  test('three sessions logged out at once: one alert with the count, one notification per channel', async () => {
    for (const id of ['s1', 's2', 's3']) await workingSession(t, key, id);
    for (const id of ['s1', 's2', 's3']) t.fake.sessions.get(id)!.loggedOut();
    await eventually(async () => (await t.wafleet.storage.sessions.list({ tenantId: 'acme', status: 'LOGGED_OUT', limit: 10, offset: 0 })).total, (n) => n === 3);
    await evaluate();

    const [alert, ...more] = await alerts();
    assert.equal(more.length, 0, 'grouped: one alert, not one per session');
    assert.equal(alert!.rule, 'session_logged_out');
    assert.equal(alert!.status, 'firing');
    assert.equal(alert!.count, 3);
    assert.deepEqual(alert!.subjects, ['s1', 's2', 's3']);
    assert.match(alert!.summary, /^3 sessions LOGGED_OUT \(scan a new QR\): s1, s2, s3$/);

    await eventually(() => generic.received.length + slack.received.length + smtp.mails.length, (n) => n === 3);
    assert.equal(notices(generic)[0]!.type, 'alert.firing');
    assert.equal(notices(generic)[0]!.alert.count, 3);
    assert.match(String(notices(slack)[0]!.text), /^\[wafleet WARNING\] acme: 3 sessions LOGGED_OUT/);
    assert.deepEqual(smtp.mails[0]!.to, ['ops@example.com']);
    assert.match(smtp.mails[0]!.data, /Subject: \[wafleet WARNING\] acme: 3 sessions LOGGED_OUT/);
    assert.match(smtp.mails[0]!.data, /From: wafleet@example\.com/);

    // The normal event pipeline has it too (webhooks, WebSocket, GET /v1/events).
    const events = (await t.request({ method: 'GET', url: '/v1/events?types=alert.*', key })).json().items;
    assert.deepEqual(events.map((e: { type: string; payload: { alert: { id: string } } }) => [e.type, e.payload.alert.id]), [['alert.firing', alert!.id]]);
    const metrics = (await t.request({ method: 'GET', url: '/metrics', key: null })).body;
    assert.match(metrics, /^wafleet_alerts_firing\{rule="session_logged_out"\} 1$/m);
  });

  test('while it keeps firing: the count follows, no new alert, no new notification', async () => {
    await evaluate();
    await workingSession(t, key, 's4');
    t.fake.sessions.get('s4')!.loggedOut();
    await eventually(async () => (await t.wafleet.storage.sessions.get('s4'))?.status, (s) => s === 'LOGGED_OUT');
    await evaluate();
    const items = await alerts();
    assert.equal(items.length, 1);
    assert.equal(items[0]!.count, 4);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(generic.received.length + slack.received.length + smtp.mails.length, 3);
  });

  test('acknowledge marks who is on it; another tenant sees none of it', async () => {
    const [alert] = await alerts();
    const acked = await t.request({ method: 'POST', url: `/v1/alerts/${alert!.id}/acknowledge`, key });
    assert.equal(acked.statusCode, 200, acked.body);
    assert.ok(acked.json().acknowledgedAt > 0);
    assert.ok(acked.json().acknowledgedBy);

    const other = await t.tenantWithKey('globex');
    assert.deepEqual(await alerts(other), []);
    assert.equal((await t.request({ method: 'GET', url: `/v1/alerts/${alert!.id}`, key: other })).statusCode, 404);
    assert.equal((await t.request({ method: 'POST', url: `/v1/alerts/${alert!.id}/acknowledge`, key: other })).json().error.code, 'ALERT_NOT_FOUND');
    assert.deepEqual((await t.request({ method: 'GET', url: '/v1/alert-channels', key: other })).json().items, []);
  });

  test('when the sessions are back it resolves once, and the channels hear it once', async () => {
    for (const id of ['s1', 's2', 's3', 's4']) await t.request({ method: 'POST', url: `/v1/sessions/${id}/start`, key });
    await eventually(async () => (await t.wafleet.storage.sessions.list({ tenantId: 'acme', status: 'LOGGED_OUT', limit: 10, offset: 0 })).total, (n) => n === 0);
    await evaluate();
    await evaluate();
    const [alert] = await alerts();
    assert.equal(alert!.status, 'resolved');
    assert.ok(alert!.resolvedAt >= alert!.startedAt);
    await eventually(() => generic.received.length + slack.received.length + smtp.mails.length, (n) => n === 6);
    assert.equal(notices(generic)[1]!.type, 'alert.resolved');
    assert.match(String(notices(slack)[1]!.text), /^\[wafleet RESOLVED\]/);
    const types = (await t.request({ method: 'GET', url: '/v1/events?types=alert.*', key })).json().items.map((e: { type: string }) => e.type);
    assert.deepEqual(types, ['alert.firing', 'alert.resolved']);
  });

  test('a silence keeps the channels quiet; the alert shows; once it ends they hear of it', async () => {
    const silence = await t.request({ method: 'POST', url: '/v1/alerts/silences', key, payload: { rule: 'session_logged_out', minutes: 60, reason: 'maintenance' } });
    assert.equal(silence.statusCode, 201, silence.body);
    const listed = (await t.request({ method: 'GET', url: '/v1/alerts/silences', key })).json().items;
    assert.deepEqual(listed.map((s: { id: string; reason: string }) => [s.id, s.reason]), [[silence.json().id, 'maintenance']]);
    await workingSession(t, key, 's5');
    t.fake.sessions.get('s5')!.loggedOut();
    await eventually(async () => (await t.wafleet.storage.sessions.get('s5'))?.status, (s) => s === 'LOGGED_OUT');
    await evaluate();
    const firing = (await alerts()).filter((a) => a.status === 'firing');
    assert.equal(firing.length, 1);
    assert.equal(firing[0]!.notifiedAt, null);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(generic.received.length, 2, 'silenced: nothing sent');

    assert.equal((await t.request({ method: 'DELETE', url: `/v1/alerts/silences/${silence.json().id}`, key })).statusCode, 204);
    await evaluate();
    await eventually(() => generic.received.length, (n) => n === 3);
    assert.equal(notices(generic)[2]!.type, 'alert.firing');
    await evaluate();
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(generic.received.length, 3, 'told once');
  });

  test('per-tenant rules: a disabled rule resolves its alert; bad channels and silences are refused', async () => {
    const put = await t.request({ method: 'PUT', url: '/v1/tenants/acme/alert-rules', key, payload: { session_logged_out: { enabled: false }, qr_unscanned: { forMinutes: 30 } } });
    assert.equal(put.statusCode, 200, put.body);
    assert.equal(put.json().effective.qr_unscanned.forMinutes, 30);
    assert.equal(put.json().effective.session_failed.enabled, true);
    await evaluate();
    assert.equal((await alerts()).filter((a) => a.status === 'firing').length, 0);

    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ type: 'webhook', url: 'ftp://example.com/x' }, 400, 'ALERT_CHANNEL_INVALID'],
      [{ type: 'slack' }, 400, 'ALERT_CHANNEL_INVALID'],
      [{ type: 'email', to: ['not-an-address'] }, 400, 'ALERT_CHANNEL_INVALID'],
      [{ type: 'pager' }, 400, 'VALIDATION_FAILED'],
    ];
    const before = (await t.request({ method: 'GET', url: '/v1/alert-channels', key })).json().items.length;
    for (const [payload, status, code] of cases) {
      const answer = await t.request({ method: 'POST', url: '/v1/alert-channels', key, payload });
      assert.equal(answer.statusCode, status, answer.body);
      assert.equal(answer.json().error.code, code);
    }
    assert.equal((await t.request({ method: 'GET', url: '/v1/alert-channels', key })).json().items.length, before, 'nothing stored');
    const badSilence = await t.request({ method: 'POST', url: '/v1/alerts/silences', key, payload: { rule: 'everything', minutes: 5 } });
    assert.equal(badSilence.statusCode, 400);
    const badRule = await t.request({ method: 'PUT', url: '/v1/tenants/acme/alert-rules', key, payload: { session_failed: { forMinutes: -1 } } });
    assert.equal(badRule.statusCode, 400);
  });

  test('a channel test says whether the notification went through', async () => {
    const channels = (await t.request({ method: 'GET', url: '/v1/alert-channels', key })).json().items as Array<{ id: string; type: string }>;
    const webhook = channels.find((c) => c.type === 'webhook')!;
    const ok = await t.request({ method: 'POST', url: `/v1/alert-channels/${webhook.id}/test`, key });
    assert.deepEqual(ok.json(), { delivered: true, error: null });
    generic.answer = () => ({ status: 500 });
    const failed = await t.request({ method: 'POST', url: `/v1/alert-channels/${webhook.id}/test`, key });
    assert.deepEqual(failed.json(), { delivered: false, error: 'the endpoint answered HTTP 500' });
    const listed = (await t.request({ method: 'GET', url: '/v1/alert-channels', key })).json().items.find((c: { id: string }) => c.id === webhook.id);
    assert.equal(listed.lastError, 'the endpoint answered HTTP 500');
  });

  test('a channel that fails is tried again later, without holding up evaluation, until it takes the notice', async () => {
    let calls = 0;
    generic.answer = () => ({ status: ++calls === 1 ? 503 : 200 });
    const before = generic.received.length;
    await t.request({ method: 'PUT', url: '/v1/tenants/acme/alert-rules', key, payload: { session_logged_out: { enabled: true } } });
    await evaluate(); // s5 is still LOGGED_OUT: fires again
    await eventually(() => generic.received.length - before, (n) => n === 2);
    const [first, retried] = notices(generic).slice(before);
    assert.equal(first!.type, 'alert.firing');
    assert.deepEqual(retried, first, 'the same notice, sent again');
    await eventually(async () => (await t.request({ method: 'GET', url: '/v1/alert-channels', key })).json().items.find((c: { type: string }) => c.type === 'webhook').lastError, (e) => e === null);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(generic.received.length - before, 2, 'no retry after it went through');
  });

  test('resolved alerts and ended silences older than the retention are pruned; firing ones stay', async () => {
    const all = await alerts();
    assert.ok(all.some((a) => a.status === 'resolved'));
    const removed = await t.wafleet.storage.alerts.prune(Date.now() + 1);
    assert.ok(removed >= 1);
    const left = await alerts();
    assert.deepEqual(left.map((a) => a.status), all.filter((a) => a.status === 'firing').map((a) => a.status));
    assert.ok(left.length >= 1, 'the firing alert is kept');
  });
});
