/** Webhook delivery and event paging on PostgreSQL (runs when WAFLEET_TEST_PG_URL is set). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { eventually } from '../helpers/test-app.ts';
import { dropPostgresSchema } from '../../src/storage/postgres/open-postgres.ts';
import { Receiver } from './webhooks-receiver.ts';
import { createHook, deliveriesOf, webhookApp, workingSession } from './webhooks-fixtures.ts';

const url = process.env.WAFLEET_TEST_PG_URL;

test('PostgreSQL: a receiver down then up gets every event in order; dead letters and paging work', { skip: url ? false : 'WAFLEET_TEST_PG_URL not set' }, async () => {
  const schema = `wafleet_hooks_${randomBytes(4).toString('hex')}`;
  const t = await webhookApp({}, { databaseUrl: url, databaseSchema: schema });
  const receiver = await new Receiver().start();
  try {
    assert.equal(t.wafleet.storage.driver, 'postgres');
    const key = await t.tenantWithKey('acme');
    const hook = await createHook(t, key, { url: receiver.url, events: ['message.received'] });
    await receiver.stop();
    await workingSession(t, key, 'pg1');
    for (let i = 0; i < 5; i += 1) t.fake.sessions.get('pg1')!.receive('15551230000', `m${i}`);
    await eventually(() => deliveriesOf(t, key, hook.id), (items) => items.length === 5 && items.some((d) => (d.attempts as number) >= 1));
    await receiver.start();
    const log = await eventually(() => deliveriesOf(t, key, hook.id), (items) => items.length === 5 && items.every((d) => d.status === 'delivered'), 10_000);
    const order = [...new Set(receiver.ids())];
    assert.deepEqual(order, log.map((d) => d.eventId as string).sort());
    assert.deepEqual(order, [...order].sort());
    receiver.answer = () => ({ status: 400 });
    t.fake.sessions.get('pg1')!.receive('15551230000', 'rejected');
    await eventually(() => t.request({ method: 'GET', url: '/v1/webhooks/dead-letters', key }).then((r) => r.json().items as unknown[]), (items) => items.length === 1);
    const page = await t.request({ method: 'GET', url: '/v1/events?types=message.*&limit=3', key });
    assert.equal(page.json().items.length, 3);
    assert.ok(page.json().next);
  } finally {
    await receiver.stop();
    await t.close();
    if (url) await dropPostgresSchema(url, schema);
  }
});
