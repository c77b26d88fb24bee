/** Webhook delivery end to end over the fake engine: signatures, retries, ordering, dead letters, redeliver, replay. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ulid } from 'ulid';
import { eventually, type TestApp } from '../helpers/test-app.ts';
import { verify } from '../../src/webhooks/signer.ts';
import { Receiver } from './webhooks-receiver.ts';
import { createHook, deliveriesOf, webhookApp, workingSession } from './webhooks-fixtures.ts';

describe('webhook delivery', () => {
  let t: TestApp;
  let key: string;
  before(async () => {
    t = await webhookApp();
    key = await t.tenantWithKey('acme');
  });
  after(() => t.close());

  test('every event arrives signed, with its id and timestamp headers; a tampered body fails the check', async () => {
    const receiver = await new Receiver().start();
    try {
      const hook = await createHook(t, key, { url: receiver.url, headers: { 'X-Team': 'support' } });
      assert.match(hook.secret, /^whsec_/);
      await workingSession(t, key, 'sig1');
      const received = await eventually(() => receiver.received, (r) => r.some((x) => x.body.type === 'session.status' && x.body.payload.status === 'WORKING'));
      const nowSec = Math.floor(Date.now() / 1000);
      for (const r of received) {
        assert.equal(r.headers['x-wafleet-event-id'], r.body.id);
        assert.equal(r.headers['x-team'], 'support');
        assert.equal(r.headers['content-type'], 'application/json');
        const ts = String(r.headers['x-wafleet-timestamp']);
        const sig = String(r.headers['x-wafleet-signature']);
        assert.ok(verify(hook.secret, ts, r.raw, sig, nowSec), 'the documented recipe verifies');
        assert.equal(verify(hook.secret, ts, r.raw.replace('acme', 'acmf'), sig, nowSec), false, 'a tampered body fails');
        assert.equal(verify('whsec_wrong-secret-000000', ts, r.raw, sig, nowSec), false, 'another secret fails');
        assert.equal(verify(hook.secret, ts, r.raw, sig, nowSec + 600), false, 'a stale timestamp fails');
        assert.equal(r.body.tenantId, 'acme');
      }
      const stored = await t.request({ method: 'GET', url: '/v1/events?session=sig1&limit=100', key });
      const storedIds = (stored.json().items as Array<{ id: string }>).map((e) => e.id);
      await eventually(() => receiver.ids(), (ids) => storedIds.every((id) => ids.includes(id)));
    } finally {
      await receiver.stop();
    }
  });

  test('a receiver down for a while, then up: every event arrives, in order per session; the log shows the retries', async () => {
    const receiver = await new Receiver().start();
    const hook = await createHook(t, key, { url: receiver.url, events: ['message.*', 'session.status'], session: undefined });
    await receiver.stop();
    await workingSession(t, key, 'down1');
    await workingSession(t, key, 'down2');
    const sent: string[] = [];
    for (let i = 0; i < 10; i += 1) {
      sent.push(t.fake.sessions.get('down1')!.receive('15551230000', `hello ${i}`));
      sent.push(t.fake.sessions.get('down2')!.receive('15551230001', `hi ${i}`));
    }
    // Down: attempts fail and are retried.
    await eventually(() => deliveriesOf(t, key, hook.id), (items) => items.some((d) => (d.attempts as number) >= 2 && d.status === 'pending'));
    await receiver.start();
    const expected = (await t.wafleet.storage.events.list({ tenantId: 'acme', limit: 1000 })).filter((e) => (e.sessionId === 'down1' || e.sessionId === 'down2') && (e.type.startsWith('message.') || e.type === 'session.status') && e.timestamp >= 0);
    await eventually(() => new Set(receiver.ids()), (ids) => expected.every((e) => ids.has(e.id)), 10_000);
    for (const sessionId of ['down1', 'down2']) {
      const firstSeen = [...new Map(receiver.received.filter((r) => r.body.sessionId === sessionId).map((r) => [r.body.id, r] as const)).keys()];
      const ids = receiver.received.filter((r) => r.body.sessionId === sessionId).map((r) => r.body.id);
      const order = [...new Set(ids)];
      assert.deepEqual(order, [...order].sort(), `${sessionId}: delivered in event order`);
      assert.deepEqual(firstSeen, order);
    }
    const received = receiver.received.filter((r) => r.body.type === 'message.received').map((r) => r.body.payload.id);
    for (const id of sent) assert.ok(received.includes(id), `message ${id} delivered`);
    const log = await eventually(() => deliveriesOf(t, key, hook.id), (items) => items.every((d) => d.status === 'delivered'));
    assert.ok(log.some((d) => (d.attempts as number) > 1 && d.lastStatusCode === 200), 'retries are visible');
    await receiver.stop();
  });

  test('a 4xx is not retried: the delivery goes to the dead letters at once; retrying them delivers', async () => {
    const receiver = await new Receiver().start();
    receiver.answer = () => ({ status: 410 });
    const hook = await createHook(t, key, { url: receiver.url, events: ['message.received'] });
    await workingSession(t, key, 'gone1');
    t.fake.sessions.get('gone1')!.receive('15551230000', 'x');
    const dead = await eventually(() => deliveriesOf(t, key, hook.id), (items) => items.length === 1 && items[0]!.status === 'dead');
    assert.equal(dead[0]!.attempts, 1);
    assert.equal(dead[0]!.lastStatusCode, 410);
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(receiver.received.length, 1, 'no second attempt');
    const letters = await t.request({ method: 'GET', url: `/v1/webhooks/dead-letters?webhook=${hook.id}`, key });
    assert.equal(letters.json().items.length, 1);
    receiver.answer = () => ({ status: 204 });
    const retry = await t.request({ method: 'POST', url: '/v1/webhooks/dead-letters/retry', key, payload: { webhook: hook.id } });
    assert.equal(retry.json().queued, 1);
    await eventually(() => deliveriesOf(t, key, hook.id), (items) => items[0]!.status === 'delivered');
    assert.equal(receiver.received.length, 2);
    await receiver.stop();
  });

  test('429 with Retry-After waits that long before the next attempt', async () => {
    const receiver = await new Receiver().start();
    let calls = 0;
    receiver.answer = () => (++calls === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 });
    const hook = await createHook(t, key, { url: receiver.url, events: ['message.received'] });
    await workingSession(t, key, 'ra1');
    t.fake.sessions.get('ra1')!.receive('15551230000', 'x');
    await eventually(() => receiver.received.length, (n) => n === 2, 5000);
    const gap = receiver.received[1]!.at - receiver.received[0]!.at;
    assert.ok(gap >= 950, `second attempt after Retry-After (gap ${gap} ms)`);
    const [delivery] = await eventually(() => deliveriesOf(t, key, hook.id), (items) => items[0]?.status === 'delivered');
    assert.equal(delivery!.attempts, 2);
    await receiver.stop();
  });

  test('redeliver one delivery, and replay everything after an event id', async () => {
    const receiver = await new Receiver().start();
    const hook = await createHook(t, key, { url: receiver.url, events: ['message.received'], session: 'gone1' });
    t.fake.sessions.get('gone1')!.receive('15551230000', 'a');
    t.fake.sessions.get('gone1')!.receive('15551230000', 'b');
    const log = await eventually(() => deliveriesOf(t, key, hook.id), (items) => items.length === 2 && items.every((d) => d.status === 'delivered'));
    const again = await t.request({ method: 'POST', url: `/v1/webhooks/${hook.id}/deliveries/${log[0]!.id as string}/redeliver`, key });
    assert.equal(again.statusCode, 200);
    await eventually(() => receiver.received.length, (n) => n === 3);
    assert.equal(receiver.received[2]!.body.id, log[0]!.eventId, 'same event id on redelivery');
    await eventually(() => deliveriesOf(t, key, hook.id), (items) => items.every((d) => d.status === 'delivered'));
    const prior = (await t.wafleet.storage.events.list({ sessionId: 'gone1', limit: 1 }))[0]!.id;
    const wanted = (await t.wafleet.storage.events.list({ sessionId: 'gone1', types: ['message.received'], limit: 100 })).map((e) => e.id);
    assert.equal(wanted.length, 3, 'x (from before this webhook existed), a, b');
    const arrivedSince = (from: number) => () => new Set(receiver.received.slice(from).map((r) => r.body.id));
    let mark = receiver.received.length;
    const replay = await t.request({ method: 'POST', url: `/v1/webhooks/${hook.id}/replay`, key, payload: { after: prior } });
    assert.equal(replay.statusCode, 200);
    assert.ok(replay.json().queued >= 2, `queued ${replay.json().queued}`);
    assert.equal(replay.json().lastEventId, wanted[2]);
    await eventually(arrivedSince(mark), (ids) => wanted.every((id) => ids.has(id)));
    await eventually(() => deliveriesOf(t, key, hook.id), (items) => items.length === 3 && items.every((d) => d.status === 'delivered'));
    mark = receiver.received.length;
    const range = await t.request({ method: 'POST', url: `/v1/webhooks/${hook.id}/replay`, key, payload: { from: 0, to: Date.now() + 1000 } });
    assert.equal(range.json().queued, 3);
    await eventually(arrivedSince(mark), (ids) => wanted.every((id) => ids.has(id)));
    await receiver.stop();
  });
});

describe('the outbox sweep', () => {
  test('an event committed without the in-process hand-over (crash between commit and fan-out) is still delivered', async () => {
    const t = await webhookApp();
    const receiver = await new Receiver().start();
    try {
      const key = await t.tenantWithKey('acme');
      await createHook(t, key, { url: receiver.url, events: ['custom.*'] });
      await new Promise((resolve) => setTimeout(resolve, 5));
      const id = ulid();
      // Straight into the events table: no publish hook, as if the process died right after the commit.
      await t.wafleet.storage.events.append([{ id, type: 'custom.thing', tenantId: 'acme', sessionId: null, timestamp: Date.now(), payload: { n: 1 } }]);
      const [got] = await eventually(() => receiver.received, (r) => r.length === 1, 5000);
      assert.equal(got!.body.id, id);
      assert.equal(got!.body.sessionId, null);
    } finally {
      await receiver.stop();
      await t.close();
    }
  });
});

describe('a slow endpoint', () => {
  test('never holds up another endpoint', async () => {
    const t = await webhookApp({ endpointConcurrency: 2 });
    const slow = await new Receiver().start();
    const fast = await new Receiver().start();
    try {
      const key = await t.tenantWithKey('acme');
      slow.answer = () => ({ status: 200, delayMs: 700 });
      await createHook(t, key, { url: slow.url, events: ['message.received'] });
      await createHook(t, key, { url: fast.url, events: ['message.received'] });
      await workingSession(t, key, 'sl1');
      await workingSession(t, key, 'sl2');
      for (let i = 0; i < 6; i += 1) {
        t.fake.sessions.get('sl1')!.receive('15551230000', `m${i}`);
        t.fake.sessions.get('sl2')!.receive('15551230000', `n${i}`);
      }
      await eventually(() => new Set(fast.ids()).size, (n) => n === 12, 3000);
      assert.ok(new Set(slow.ids()).size < 12, `the slow one is still at ${new Set(slow.ids()).size}`);
      await eventually(() => new Set(slow.ids()).size, (n) => n === 12, 10_000);
    } finally {
      await slow.stop();
      await fast.stop();
      await t.close();
    }
  });
});

describe('dead letters after the retry window', () => {
  test('a receiver that never answers 2xx is given up on when the window ends', async () => {
    const t = await webhookApp({ retryWindowMs: 300 });
    try {
      const key = await t.tenantWithKey('acme');
      const receiver = await new Receiver().start();
      receiver.answer = () => ({ status: 503 });
      const hook = await createHook(t, key, { url: receiver.url, events: ['message.received'] });
      await workingSession(t, key, 'w1');
      t.fake.sessions.get('w1')!.receive('15551230000', 'x');
      const [dead] = await eventually(() => deliveriesOf(t, key, hook.id), (items) => items[0]?.status === 'dead', 5000);
      assert.ok((dead!.attempts as number) >= 2, 'retried inside the window');
      assert.match(String(dead!.lastError), /retry window/);
      assert.equal(dead!.lastStatusCode, 503);
      const metrics = await t.request({ method: 'GET', url: '/metrics', key: null });
      assert.match(metrics.body, /wafleet_outbox_deliveries\{status="dead"\} 1/);
      assert.match(metrics.body, /wafleet_webhook_attempts_total\{result="dead"\} 1/);
      assert.match(metrics.body, /wafleet_webhook_attempts_total\{result="retry"\} [1-9]/);
      await receiver.stop();
    } finally {
      await t.close();
    }
  });
});
