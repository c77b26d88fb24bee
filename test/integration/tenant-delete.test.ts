/**
 * DELETE /v1/tenants/{id} on both stores (fake engine): every row of the tenant goes, the other
 * tenant keeps everything, sessions are logged out (or only stopped with ?logout=false), running bulk
 * jobs need ?force=true, the operation is audited.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createTestApp, eventually, type TestApp } from '../helpers/test-app.ts';
import { workingSession } from '../helpers/working-session.ts';

const pgUrl = process.env.WAFLEET_TEST_PG_URL;
/** Webhook hosts resolve to a public address (never dialled: nothing is delivered in these tests). */
const PUBLIC_HOST = async () => [{ address: '93.184.216.34', family: 4 as const }];
const schemas: string[] = [];

const stores: Array<{ name: string; settings: () => Record<string, unknown>; skip?: string }> = [
  { name: 'SQLite', settings: () => ({}) },
  {
    name: 'PostgreSQL',
    settings: () => {
      const schema = `wafleet_tdel_${randomBytes(4).toString('hex')}`;
      schemas.push(schema);
      return { databaseUrl: pgUrl, databaseSchema: schema, masterKey: randomBytes(32).toString('base64') };
    },
    ...(pgUrl ? {} : { skip: 'WAFLEET_TEST_PG_URL not set' }),
  },
];

after(async () => {
  if (!pgUrl || schemas.length === 0) return;
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  for (const schema of schemas) await client.query(`drop schema if exists ${schema} cascade`);
  await client.end();
});

/** Everything the store holds for one tenant, counted through the storage port. */
async function holdings(t: TestApp, tenantId: string, sessionIds: string[]) {
  const { storage } = t.wafleet;
  let messages = 0;
  let auth = 0;
  let queued = 0;
  for (const id of sessionIds) {
    messages += (await storage.messages.list({ sessionId: id, limit: 1000 })).length;
    auth += (await storage.authState.dump(id)).length;
    queued += (await storage.outbound.depth(id)).depth;
  }
  return {
    tenant: Boolean(await storage.tenants.get(tenantId)),
    sessions: await storage.sessions.countByTenant(tenantId),
    keys: (await storage.apiKeys.listByTenant(tenantId)).length,
    webhooks: (await storage.webhooks.list({ tenantId })).length,
    events: (await storage.events.list({ tenantId, limit: 1000 })).length,
    messages,
    auth,
    queued,
  };
}

for (const store of stores) {
  describe(`DELETE /v1/tenants/{id} on ${store.name}`, { skip: store.skip ?? false }, () => {
    test('404 for an unknown tenant; 409 while a bulk job runs, store unchanged; force deletes everything of that tenant only', async () => {
      const t = await createTestApp(store.settings(), undefined, { resolveHost: PUBLIC_HOST });
      try {
        const key = await t.tenantWithKey('acme');
        const otherKey = await t.tenantWithKey('globex');
        await workingSession(t, key, 'a1');
        await workingSession(t, key, 'a2', { pacing: { perMinute: 1 } });
        await workingSession(t, otherKey, 'g1');
        assert.equal((await t.request({ method: 'POST', url: '/v1/sessions/a1/messages', key, payload: { to: '15550001111', type: 'text', text: 'hello' } })).statusCode, 201);
        assert.equal((await t.request({ method: 'POST', url: '/v1/sessions/g1/messages', key: otherKey, payload: { to: '15550001111', type: 'text', text: 'kept' } })).statusCode, 201);
        { const hook = await t.request({ method: 'POST', url: '/v1/webhooks', key, payload: { url: 'https://hooks.example.com/acme' } }); assert.equal(hook.statusCode, 201, hook.body); }
        assert.equal((await t.request({ method: 'POST', url: '/v1/webhooks', key: otherKey, payload: { url: 'https://hooks.example.com/globex' } })).statusCode, 201);
        const recipients = Array.from({ length: 5 }, (_, i) => ({ to: `1555000${2000 + i}` }));
        const job = await t.request({ method: 'POST', url: '/v1/sessions/a2/bulk-messages', key, payload: { recipients, message: { type: 'text', text: 'bulk' } } });
        assert.equal(job.statusCode, 202, job.body);

        const unknown = await t.request({ method: 'DELETE', url: '/v1/tenants/nobody' });
        assert.equal(unknown.statusCode, 404);
        assert.equal(unknown.json().error.code, 'TENANT_NOT_FOUND');
        assert.equal((await t.request({ method: 'DELETE', url: '/v1/tenants/acme', key })).statusCode, 403, 'admin only');

        const before = await holdings(t, 'acme', ['a1', 'a2']);
        const busy = await t.request({ method: 'DELETE', url: '/v1/tenants/acme' });
        assert.equal(busy.statusCode, 409, busy.body);
        assert.equal(busy.json().error.code, 'TENANT_HAS_RUNNING_JOBS');
        assert.match(busy.json().error.message, /force=true/);
        // The bulk job keeps sending meanwhile (messages, queue), so compare what the refusal could have touched.
        const { tenant, sessions, keys, webhooks, auth } = await holdings(t, 'acme', ['a1', 'a2']);
        assert.deepEqual({ tenant, sessions, keys, webhooks, auth }, { tenant: before.tenant, sessions: before.sessions, keys: before.keys, webhooks: before.webhooks, auth: before.auth }, 'nothing changed');
        assert.equal((await t.request({ method: 'GET', url: '/v1/sessions', key })).statusCode, 200, 'the key still works');
        assert.ok(before.messages > 0 && before.auth > 0 && before.events > 0 && before.webhooks === 1 && before.keys === 1);

        const gone = await t.request({ method: 'DELETE', url: '/v1/tenants/acme?force=true' });
        assert.equal(gone.statusCode, 204, gone.body);
        assert.deepEqual(await holdings(t, 'acme', ['a1', 'a2']), { tenant: false, sessions: 0, keys: 0, webhooks: 0, events: 0, messages: 0, auth: 0, queued: 0 });
        assert.equal((await t.request({ method: 'GET', url: '/v1/tenants/acme' })).statusCode, 404);
        assert.equal((await t.request({ method: 'GET', url: '/v1/sessions', key })).statusCode, 401, 'its keys no longer open anything');
        const loggedOut = t.events.filter((e) => e.type === 'session.status' && (e.payload as { status?: string }).status === 'LOGGED_OUT').map((e) => e.sessionId);
        assert.deepEqual(loggedOut.sort(), ['a1', 'a2'], 'both sessions were logged out first');

        const kept = await holdings(t, 'globex', ['g1']);
        assert.equal(kept.tenant, true);
        assert.ok(kept.sessions === 1 && kept.keys === 1 && kept.webhooks === 1 && kept.messages === 1 && kept.auth === 1, JSON.stringify(kept));
        assert.equal((await t.request({ method: 'GET', url: '/v1/sessions/g1', key: otherKey })).json().status, 'WORKING');

        // The refused calls are written by the (buffered) audit hook, the deletion's own rows at once.
        const audit = await eventually(async () => (await t.wafleet.storage.audit.list({ limit: 100 })).filter((row) => row.action === 'tenant.delete'), (rows) => rows.length >= 5, 5000);
        assert.deepEqual(audit.map((row) => [row.result, row.statusCode, row.resource]).sort(), [['FORBIDDEN', 403, 'tenants/acme'], ['TENANT_HAS_RUNNING_JOBS', 409, 'tenants/acme'], ['TENANT_NOT_FOUND', 404, 'tenants/nobody'], ['ok', 204, 'tenants/acme'], ['started', 202, 'tenants/acme']].sort());
      } finally {
        await t.close();
      }
    });

    test('?logout=false keeps the phones linked: sessions are stopped, not logged out, and their data goes', async () => {
      const t = await createTestApp(store.settings(), undefined, { resolveHost: PUBLIC_HOST });
      try {
        const key = await t.tenantWithKey('keep');
        await workingSession(t, key, 'k1');
        const gone = await t.request({ method: 'DELETE', url: '/v1/tenants/keep?logout=false' });
        assert.equal(gone.statusCode, 204, gone.body);
        assert.deepEqual(t.events.filter((e) => e.type === 'session.status' && (e.payload as { status?: string }).status === 'LOGGED_OUT'), []);
        assert.deepEqual(await holdings(t, 'keep', ['k1']), { tenant: false, sessions: 0, keys: 0, webhooks: 0, events: 0, messages: 0, auth: 0, queued: 0 });
        const bad = await t.request({ method: 'DELETE', url: '/v1/tenants/keep?logout=maybe' });
        assert.equal(bad.statusCode, 400);
        assert.equal(bad.json().error.code, 'VALIDATION_FAILED');
      } finally {
        await t.close();
      }
    });
  });
}
