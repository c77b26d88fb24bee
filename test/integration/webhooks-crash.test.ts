/** wafleet killed with SIGKILL while deliveries are pending: after a restart every one is delivered. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { eventually } from '../helpers/test-app.ts';
import { Receiver } from './webhooks-receiver.ts';
import { httpJson, serveWafleet, type ServedWafleet } from '../helpers/wafleet-process.ts';

const ADMIN = 'crash-test-admin-key-0123456789';

function serve(dataDir: string, masterKey: string): ServedWafleet {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'test',
    WAFLEET_HOST: '127.0.0.1',
    WAFLEET_PORT: '0',
    WAFLEET_DATA_DIR: dataDir,
    WAFLEET_ADMIN_KEY: ADMIN,
    WAFLEET_MASTER_KEY: masterKey,
    WAFLEET_ENABLE_FAKE_ENGINE: '1',
    WAFLEET_ENGINE_ALLOWLIST: 'scan',
    WAFLEET_ALLOW_PRIVATE_URLS: '1',
    WAFLEET_WEBHOOK_POLL_MS: '20',
    WAFLEET_WEBHOOK_RETRY_BASE_MS: '50',
    WAFLEET_WEBHOOK_RETRY_MAX_MS: '200',
    WAFLEET_OUTBOX_SETTLE_MS: '200',
  };
  return serveWafleet(env);
}

test('SIGKILL with deliveries pending: after restart they are all delivered, each event id at least once, in order', { timeout: 60_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'wafleet-crash-'));
  const masterKey = randomBytes(32).toString('base64');
  const receiver = await new Receiver().start();
  await receiver.stop(); // the port is ours; the receiver is down
  const servers: ServedWafleet[] = [];
  try {
    const first = serve(dataDir, masterKey);
    servers.push(first);
    const base = await first.url;
    assert.equal((await httpJson(base, 'POST', '/v1/tenants', ADMIN, { id: 'acme' })).status, 201);
    const key = (await httpJson(base, 'POST', '/v1/tenants/acme/keys', ADMIN, { scopes: ['read', 'send', 'manage'] })).body.key as string;
    const hook = (await httpJson(base, 'POST', '/v1/webhooks', key, { url: receiver.url })).body as { id: string };
    assert.equal((await httpJson(base, 'POST', '/v1/sessions', key, { id: 's1', engine: 'fake', start: true })).status, 201);
    await eventually(async () => (await httpJson(base, 'GET', '/v1/sessions/s1', key)).body.status, (s) => s === 'SCAN_QR', 10_000);
    assert.equal((await httpJson(base, 'POST', '/v1/sessions/s1/engine/scan', key, { args: [] })).status, 200);
    await eventually(async () => (await httpJson(base, 'GET', '/v1/sessions/s1', key)).body.status, (s) => s === 'WORKING', 10_000);
    for (let i = 0; i < 3; i += 1) {
      await httpJson(base, 'POST', '/v1/sessions/s1/stop', key);
      await httpJson(base, 'POST', '/v1/sessions/s1/start', key);
      await eventually(async () => (await httpJson(base, 'GET', '/v1/sessions/s1', key)).body.status, (s) => s === 'WORKING', 10_000);
    }
    const before = await eventually(
      async () => (await httpJson(base, 'GET', `/v1/webhooks/${hook.id}/deliveries?limit=1000`, key)).body.items as Array<{ status: string; attempts: number; eventId: string }>,
      (items) => items.length >= 8 && items.some((d) => d.attempts >= 1) && items.every((d) => d.status !== 'delivered'),
      10_000,
    );
    first.kill('SIGKILL');
    await first.exit;

    await receiver.start();
    const second = serve(dataDir, masterKey);
    servers.push(second);
    const base2 = await second.url;
    const wanted = before.map((d) => d.eventId);
    await eventually(() => new Set(receiver.ids()), (ids) => wanted.every((id) => ids.has(id)), 20_000);
    const after = await eventually(
      async () => (await httpJson(base2, 'GET', `/v1/webhooks/${hook.id}/deliveries?limit=1000`, key)).body.items as Array<{ status: string; eventId: string }>,
      (items) => wanted.every((id) => items.find((d) => d.eventId === id)?.status === 'delivered'),
      10_000,
    );
    assert.ok(after.length >= wanted.length);
    // The session's events, in order; tenant-wide ones (alert.firing for the failing webhook) have their own order.
    const firstSeen = [...new Set(receiver.received.filter((r) => r.body.sessionId === 's1').map((r) => r.body.id))];
    assert.deepEqual(firstSeen, [...firstSeen].sort(), 'in event order (one session)');
    const events = (await httpJson(base2, 'GET', '/v1/events?session=s1&limit=1000', key)).body.items as Array<{ id: string; timestamp: number }>;
    const sinceHook = events.map((e) => e.id);
    for (const id of wanted) assert.ok(sinceHook.includes(id));
    second.kill('SIGTERM');
    await second.exit;
  } finally {
    // A failed assertion must not leave a server running: the test file would never end.
    for (const server of servers) server.kill('SIGKILL');
    await receiver.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
