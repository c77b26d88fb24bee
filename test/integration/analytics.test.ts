/** Message analytics: rollups per session and hour/day, fed by events as they happen, fenced by tenant. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, eventually, type TestApp } from '../helpers/test-app.ts';
import { workingSession } from '../helpers/working-session.ts';

describe('message analytics', () => {
  let t: TestApp;
  let acme: string;
  let globex: string;
  before(async () => {
    t = await createTestApp({ enableFakeEngine: true });
    acme = await t.tenantWithKey('acme');
    globex = await t.tenantWithKey('globex');
    await workingSession(t, acme, 'sales');
    await workingSession(t, acme, 'support');
  });
  after(() => t.close());

  const stats = async (key: string, query = '') => {
    const answer = await t.request({ method: 'GET', url: `/v1/analytics/messages?bucket=hour${query}`, key });
    assert.equal(answer.statusCode, 200, answer.body);
    return answer.json();
  };

  test('sent, delivered, read and received are counted per session as they happen', async () => {
    const ids: string[] = [];
    for (const text of ['one', 'two']) {
      const sent = await t.request({ method: 'POST', url: '/v1/sessions/sales/messages', key: acme, payload: { to: '15550001234', type: 'text', text } });
      assert.equal(sent.statusCode, 201, sent.body);
      ids.push(sent.json().id);
    }
    const engine = t.fake.sessions.get('sales')!;
    engine.receipt(ids[0]!, '15550001234@s.whatsapp.net', 'delivered');
    engine.receipt(ids[1]!, '15550001234@s.whatsapp.net', 'read');
    t.fake.sessions.get('support')!.receive('15550009999@s.whatsapp.net', 'hello support');
    const answer = await eventually(() => stats(acme), (s) => s.totals.sent === 2 && s.totals.read === 1 && s.totals.received === 1 && s.totals.delivered === 1);
    const sales = answer.items.find((row: { sessionId: string }) => row.sessionId === 'sales');
    assert.deepEqual([sales.sent, sales.delivered, sales.read, sales.received], [2, 1, 1, 0]);
    const support = answer.items.find((row: { sessionId: string }) => row.sessionId === 'support');
    assert.equal(support.received, 1);
    assert.equal(sales.bucketStart % 3_600_000, 0, 'hour buckets start on the hour');
    const one = await stats(acme, '&session=sales');
    assert.deepEqual(one.items.map((row: { sessionId: string }) => row.sessionId), ['sales']);
    const daily = (await t.request({ method: 'GET', url: '/v1/analytics/messages?bucket=day', key: acme })).json();
    assert.equal(daily.items.find((row: { sessionId: string }) => row.sessionId === 'sales').bucketStart % 86_400_000, 0);
    assert.equal(daily.totals.sent, 2);
  });

  test('another tenant sees none of it; asking for it is "not found"', async () => {
    const theirs = await stats(globex);
    assert.deepEqual([theirs.items.length, theirs.totals.sent], [0, 0]);
    assert.equal((await t.request({ method: 'GET', url: '/v1/analytics/messages?tenant=acme', key: globex })).statusCode, 404);
  });

  test('a backwards range is a 400 that says what to fix', async () => {
    const answer = await t.request({ method: 'GET', url: '/v1/analytics/messages?from=2000&to=1000', key: acme });
    assert.deepEqual([answer.statusCode, answer.json().error.code], [400, 'VALIDATION_FAILED']);
    assert.match(answer.json().error.message, /"from" must be before "to"/);
  });
});
