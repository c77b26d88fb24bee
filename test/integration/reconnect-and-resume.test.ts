import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp, eventually, type TestApp } from '../helpers/test-app.ts';

async function workingSession(t: TestApp, key: string, id: string): Promise<void> {
  const created = await t.request({ method: 'POST', url: '/v1/sessions', key, payload: { id, engine: 'fake', start: true } });
  assert.equal(created.statusCode, 201, created.body);
  await eventually(() => t.fake.sessions.get(id)?.ctx !== undefined, Boolean);
  await eventually(async () => (await t.request({ method: 'GET', url: `/v1/sessions/${id}`, key })).json().status, (s) => s === 'SCAN_QR');
  await t.fake.sessions.get(id)!.scan();
  await eventually(async () => (await t.request({ method: 'GET', url: `/v1/sessions/${id}`, key })).json().status, (s) => s === 'WORKING');
}

const statusOf = async (t: TestApp, key: string, id: string) => (await t.request({ method: 'GET', url: `/v1/sessions/${id}`, key })).json();

describe('restart policy', () => {
  test('a dropped connection reconnects with backoff and comes back WORKING', async () => {
    const t = await createTestApp();
    try {
      const key = await t.tenantWithKey('acme');
      await workingSession(t, key, 'flaky');
      const first = t.fake.sessions.get('flaky')!;
      first.dropConnection();
      await eventually(() => statusOf(t, key, 'flaky'), (s) => s.status === 'WORKING' && t.fake.sessions.get('flaky') !== first);
      const statuses = t.events.filter((e) => e.type === 'session.status').map((e) => e.payload.status);
      assert.deepEqual(statuses.slice(-3), ['RECONNECTING', 'STARTING', 'WORKING']);
      const reconnecting = t.events.find((e) => e.payload.status === 'RECONNECTING');
      assert.match(String(reconnecting?.payload.reason), /connection_lost.*retry 1 in \d+ ms/);
    } finally {
      await t.close();
    }
  });

  test('the circuit breaker stops after N failures in the window and keeps the reason', async () => {
    const t = await createTestApp();
    try {
      const key = await t.tenantWithKey('acme');
      await workingSession(t, key, 'doomed');
      t.fake.faults.failNextStarts = 100;
      t.fake.sessions.get('doomed')!.dropConnection();
      const failed = await eventually(() => statusOf(t, key, 'doomed'), (s) => s.status === 'FAILED');
      assert.match(failed.statusReason, /circuit breaker open after 3 failures/);
      assert.equal(t.fake.sessions.get('doomed')!.startCount, 1, 'only the attempts inside the breaker budget ran');
      t.fake.faults.failNextStarts = 0;
      await t.request({ method: 'POST', url: '/v1/sessions/doomed/start', key });
      await eventually(() => statusOf(t, key, 'doomed'), (s) => s.status === 'WORKING');
    } finally {
      await t.close();
    }
  });

  test('logged out by WhatsApp (401): LOGGED_OUT, auth state wiped, not reconnected', async () => {
    const t = await createTestApp();
    try {
      const key = await t.tenantWithKey('acme');
      await workingSession(t, key, 'gone');
      assert.ok((await t.wafleet.storage.authState.dump('gone')).length > 0);
      t.fake.sessions.get('gone')!.loggedOut();
      const session = await eventually(() => statusOf(t, key, 'gone'), (s) => s.status === 'LOGGED_OUT');
      assert.equal(session.desiredState, 'stopped');
      assert.deepEqual(await t.wafleet.storage.authState.dump('gone'), []);
    } finally {
      await t.close();
    }
  });

  test('connection replaced (440) is reported as FAILED and not fought over', async () => {
    const t = await createTestApp();
    try {
      const key = await t.tenantWithKey('acme');
      await workingSession(t, key, 'twin');
      const engineSession = t.fake.sessions.get('twin')!;
      engineSession.replaced();
      const session = await eventually(() => statusOf(t, key, 'twin'), (s) => s.status === 'FAILED');
      assert.match(session.statusReason, /replaced/);
      assert.equal(t.fake.sessions.get('twin'), engineSession, 'no reconnect attempt');
      // The lease is still this node's, so someone outside wafleet uses the login: said out loud.
      const splitBrain = t.events.filter((e) => e.type === 'session.split_brain' && e.sessionId === 'twin');
      assert.equal(splitBrain.length, 1);
      assert.match(String(splitBrain[0]!.payload.reason), /outside wafleet/);
    } finally {
      await t.close();
    }
  });

  test('silence is not health: a WORKING session with no recent frame is reported unhealthy', async () => {
    const t = await createTestApp({ healthStaleMs: 1000 });
    try {
      const key = await t.tenantWithKey('acme');
      await workingSession(t, key, 'quiet');
      const engineSession = t.fake.sessions.get('quiet')!;
      const realHealth = engineSession.health.bind(engineSession);
      engineSession.health = () => ({ ...realHealth(), lastFrameAt: Date.now() - 5000 });
      const health = await t.request({ method: 'GET', url: '/v1/sessions/quiet/health', key });
      assert.equal(health.statusCode, 503);
      assert.equal(health.json().status, 'WORKING');
      assert.ok(health.json().lastFrameAgeMs >= 5000);
      // The watchdog acts on it: the session is reconnected.
      t.wafleet.manager.startWatchdog(20);
      await eventually(() => t.fake.sessions.get('quiet') !== engineSession, Boolean);
      await eventually(() => statusOf(t, key, 'quiet'), (s) => s.status === 'WORKING');
      assert.ok(t.events.some((e) => e.payload.status === 'RECONNECTING' && /timed_out/.test(String(e.payload.reason))));
    } finally {
      await t.close();
    }
  });
});

describe('resume after restart', () => {
  test('sessions that were running come back WORKING without a QR; stopped ones stay stopped', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wafleet-resume-'));
    const masterKey = randomBytes(32).toString('base64');
    try {
      const first = await createTestApp({ masterKey }, dataDir);
      const key = await first.tenantWithKey('acme');
      for (const id of ['r1', 'r2', 'r3']) await workingSession(first, key, id);
      await first.request({ method: 'POST', url: '/v1/sessions/r3/stop', key });
      await first.close();

      const second = await createTestApp({ masterKey }, dataDir);
      try {
        const resumed = await second.wafleet.resume();
        assert.equal(resumed, 2);
        for (const id of ['r1', 'r2']) {
          await eventually(() => statusOf(second, key, id), (s) => s.status === 'WORKING');
        }
        assert.equal((await statusOf(second, key, 'r3')).status, 'STOPPED');
        assert.ok(!second.events.some((e) => e.type === 'session.qr'), 'no QR was needed');
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('auth state is unreadable under another master key: the session fails clearly instead of crashing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wafleet-resume-'));
    try {
      const first = await createTestApp({ masterKey: randomBytes(32).toString('base64') }, dataDir);
      const key = await first.tenantWithKey('acme');
      await workingSession(first, key, 'locked');
      await first.close();
      const second = await createTestApp({ masterKey: randomBytes(32).toString('base64') }, dataDir);
      try {
        await second.wafleet.resume();
        const session = await eventually(() => statusOf(second, key, 'locked'), (s) => s.status === 'FAILED');
        assert.match(session.statusReason, /decrypt|master key|tamper/i);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
