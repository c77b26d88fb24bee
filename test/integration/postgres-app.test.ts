/** The whole app on PostgreSQL (runs when WAFLEET_TEST_PG_URL is set): lifecycle, messages, resume. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createTestApp, eventually, type TestApp } from '../helpers/test-app.ts';

const url = process.env.WAFLEET_TEST_PG_URL;

describe('wafleet on PostgreSQL', { skip: url ? false : 'WAFLEET_TEST_PG_URL not set' }, () => {
  test('sessions and messages survive a restart and resume on PostgreSQL', async () => {
    const schema = `wafleet_app_${randomBytes(4).toString('hex')}`;
    const masterKey = randomBytes(32).toString('base64');
    const settings = { databaseUrl: url, databaseSchema: schema, masterKey };
    const status = async (t: TestApp, key: string, id: string) => (await t.request({ method: 'GET', url: `/v1/sessions/${id}`, key })).json();
    try {
      const first = await createTestApp(settings);
      assert.equal(first.wafleet.storage.driver, 'postgres');
      const key = await first.tenantWithKey('acme');
      await first.request({ method: 'POST', url: '/v1/sessions', key, payload: { id: 'pg-1', engine: 'fake', start: true } });
      await eventually(() => status(first, key, 'pg-1'), (s) => s.status === 'SCAN_QR');
      await first.fake.sessions.get('pg-1')!.scan();
      await eventually(() => status(first, key, 'pg-1'), (s) => s.status === 'WORKING');
      const sent = await first.request({ method: 'POST', url: '/v1/sessions/pg-1/messages', key, payload: { to: '15550001111', type: 'text', text: 'über Postgres ✓' } });
      assert.equal(sent.statusCode, 201, sent.body);
      await first.close();

      const second = await createTestApp(settings);
      try {
        assert.equal(await second.wafleet.resume(), 1);
        await eventually(() => status(second, key, 'pg-1'), (s) => s.status === 'WORKING');
        const history = (await second.request({ method: 'GET', url: '/v1/sessions/pg-1/messages', key })).json();
        assert.equal(history.items[0].content.text, 'über Postgres ✓');
        assert.equal((await second.request({ method: 'GET', url: '/ready', key: null })).statusCode, 200);
      } finally {
        await second.close();
      }
    } finally {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  });
});
