/**
 * Logins, the audit log and analytics on PostgreSQL (runs when WAFLEET_TEST_PG_URL is set): a token
 * issued by one process is accepted by another with the same master key (as nodes of a cluster), and
 * two refreshes racing with one token leave exactly one winner and a revoked login.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createTestApp, eventually } from '../helpers/test-app.ts';
import { workingSession } from '../helpers/working-session.ts';
import { TEST_PASSWORD } from '../helpers/users.ts';

const url = process.env.WAFLEET_TEST_PG_URL;

describe('users and audit on PostgreSQL', { skip: url ? false : 'WAFLEET_TEST_PG_URL not set' }, () => {
  test('a login made on one process works on another; a raced refresh revokes the login; audit and analytics are stored', async () => {
    const schema = `wafleet_acct_${randomBytes(4).toString('hex')}`;
    const settings = { databaseUrl: url, databaseSchema: schema, masterKey: randomBytes(32).toString('base64'), enableFakeEngine: true };
    const one = await createTestApp(settings);
    const two = await createTestApp(settings);
    try {
      const key = await one.tenantWithKey('acme');
      assert.equal((await one.request({ method: 'POST', url: '/v1/users', payload: { email: 'pat@acme.test', password: TEST_PASSWORD, role: 'operator', tenant: 'acme' } })).statusCode, 201);
      const login = (await one.request({ method: 'POST', url: '/v1/auth/login', key: null, payload: { email: 'pat@acme.test', password: TEST_PASSWORD } })).json();
      const me = await two.request({ method: 'GET', url: '/v1/auth/me', key: login.accessToken });
      assert.equal(me.statusCode, 200, 'the other process accepts the token');
      assert.equal(me.json().tenantId, 'acme');

      const race = await Promise.all([one, two].map((app) => app.request({ method: 'POST', url: '/v1/auth/refresh', key: null, payload: { refreshToken: login.refreshToken } })));
      const codes = race.map((r) => r.statusCode).sort();
      assert.deepEqual(codes, [200, 401], 'exactly one refresh wins');
      const winner = race.find((r) => r.statusCode === 200)!.json();
      assert.equal(race.find((r) => r.statusCode === 401)!.json().error.code, 'REFRESH_TOKEN_REUSED');
      const after = await one.request({ method: 'POST', url: '/v1/auth/refresh', key: null, payload: { refreshToken: winner.refreshToken } });
      assert.equal(after.statusCode, 401, 'the loser revoked the login, the winner’s tokens too');

      await workingSession(one, key, 'pg-stats');
      assert.equal((await one.request({ method: 'POST', url: '/v1/sessions/pg-stats/messages', key, payload: { to: '15550001111', type: 'text', text: 'count me' } })).statusCode, 201);
      const stats = await eventually(async () => (await one.request({ method: 'GET', url: '/v1/analytics/messages?bucket=hour', key })).json(), (s) => s.totals.sent === 1);
      assert.equal(stats.items[0].sessionId, 'pg-stats');
      // Each process flushes its own audit buffer (every 200 ms): the other one's rows show up by then.
      type Row = { action: string; result: string };
      await eventually(
        async () => (await two.request({ method: 'GET', url: '/v1/audit?action=auth.*' })).json() as { items: Row[] },
        (page) => page.items.some((r) => r.action === 'auth.login' && r.result === 'ok') && page.items.some((r) => r.action === 'auth.refresh' && r.result === 'REFRESH_TOKEN_REUSED'),
        10_000,
      );
    } finally {
      await one.close();
      await two.close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  });
});
