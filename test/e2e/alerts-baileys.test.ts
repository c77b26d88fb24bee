/**
 * Built-in alerts with real Baileys against sim/: two phones unlink their devices (WhatsApp's 401),
 * one grouped alert fires; an alert channel hears it once, and a regular wafleet webhook subscribed to
 * alert.* receives the alert.firing event through the normal, signed delivery pipeline.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../helpers/test-app.ts';
import { Receiver } from '../integration/webhooks-receiver.ts';
import { pairByQr, simJson, startE2E, waitForStatus } from './harness.ts';

test('phones that log out their devices fire one alert, to a channel and through the webhook pipeline', { timeout: 90_000 }, async (t) => {
  const channel = await new Receiver().start();
  const webhook = await new Receiver().start();
  const e = await startE2E({
    alerts: { intervalMs: 3_600_000, retentionMs: 86_400_000, retryDelaysMs: [], smtpUrl: undefined, emailFrom: 'wafleet@localhost' },
    webhooks: { timeoutMs: 5000, retryBaseMs: 10, retryMaxMs: 20, retryWindowMs: 60_000, concurrency: 4, endpointConcurrency: 2, pollMs: 50, settleMs: 0, allowPrivateUrls: true },
  });
  t.after(async () => {
    await e.close();
    await channel.stop();
    await webhook.stop();
  });
  await e.app.wafleet.resume();
  const addedChannel = await e.app.request({ method: 'POST', url: '/v1/alert-channels', key: e.key, payload: { type: 'webhook', url: channel.url } });
  assert.equal(addedChannel.statusCode, 201, addedChannel.body);
  const subscribed = await e.app.request({ method: 'POST', url: '/v1/webhooks', key: e.key, payload: { url: webhook.url, events: ['alert.*'] } });
  assert.equal(subscribed.statusCode, 201, subscribed.body);

  for (const [id, phone] of [['north', '15550400001'], ['south', '15550400002']] as const) await pairByQr(e, id, phone);
  for (const phone of ['15550400001', '15550400002']) {
    const forced = await simJson(e.sim, 'POST', '/admin/faults', { phone, fault: 'force-401' });
    assert.equal(forced.status, 200, JSON.stringify(forced.body));
  }
  await waitForStatus(e, 'north', 'LOGGED_OUT');
  await waitForStatus(e, 'south', 'LOGGED_OUT');
  await e.app.wafleet.alerts.evaluator.evaluate();

  const alerts = (await e.app.request({ method: 'GET', url: '/v1/alerts?status=firing', key: e.key })).json().items;
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0].rule, 'session_logged_out');
  assert.deepEqual(alerts[0].subjects, ['north', 'south']);

  await eventually(() => channel.received.length, (n) => n === 1, 10_000);
  assert.equal((channel.received[0]!.body as unknown as { alert: { count: number } }).alert.count, 2);
  const delivered = await eventually(() => webhook.received.find((r) => r.body.type === 'alert.firing'), Boolean, 10_000);
  assert.equal((delivered!.body.payload as { alert: { id: string } }).alert.id, alerts[0].id);
  assert.ok(delivered!.headers['x-wafleet-signature'], 'signed like every webhook');
  await e.app.wafleet.alerts.evaluator.evaluate();
  assert.equal(channel.received.length, 1, 'told once');
});
