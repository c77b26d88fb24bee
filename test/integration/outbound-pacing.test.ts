/**
 * Pacing through the whole app with a controllable clock: a burst of 3N async sends under a limit of
 * N per minute goes out N at a time, a minute apart, in order; typing shows before a text; a sync
 * send that would wait past its timeout is refused with 429 and Retry-After, and nothing is stored.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createTestApp, eventually, type TestApp } from '../helpers/test-app.ts';
import { workingSession } from '../helpers/working-session.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import type { OutboundConfig } from '../../src/config/config.ts';

const N = 4;
const outbound: OutboundConfig = {
  syncTimeoutMs: 30_000, maxAttempts: 5, attemptTimeoutMs: 60_000, bulkMaxRecipients: 100,
  pacing: { perMinute: N, newContactsPerDay: 0, minGapMs: 0, jitterMs: 0, typing: false, typingMsPerChar: 50, typingMaxMs: 5000 },
};

describe('outbound pacing (controllable clock)', () => {
  let t: TestApp;
  let key: string;
  const clock = new ManualClock();
  before(async () => {
    t = await createTestApp({ outbound, rateLimit: { rps: 0, burst: 1, redisUrl: undefined } }, undefined, { clock });
    key = await t.tenantWithKey('acme');
    await workingSession(t, key, 'p1');
  });
  after(() => t.close());

  const texts = (session: string) => (t.fake.sessions.get(session)?.sent ?? []).map((m) => (m.content.type === 'text' ? m.content.text : m.content.type));
  const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

  test(`a burst of ${3 * N} async sends with ${N}/min goes out ${N} per minute, in order`, async () => {
    const t0 = clock.now();
    const ids: string[] = [];
    for (let i = 0; i < 3 * N; i++) {
      const response = await t.request({ method: 'POST', url: '/v1/sessions/p1/messages?mode=async', key, payload: { to: '15550001111', type: 'text', text: `burst ${i}` } });
      assert.equal(response.statusCode, 202, response.body);
      assert.equal(response.json().status, 'queued');
      ids.push(response.json().id);
    }
    await eventually(() => texts('p1').length, (n) => n === N);
    await settle();
    assert.equal(texts('p1').length, N, 'the rest waits for the minute to pass');
    const queue = (await t.request({ method: 'GET', url: '/v1/sessions/p1/queue', key })).json();
    assert.equal(queue.depth, 2 * N);
    assert.equal(queue.drainEstimateAt, t0 + 120_000);
    assert.equal(queue.pacing.perMinute, N);

    clock.advance(59_999);
    await settle();
    assert.equal(texts('p1').length, N, 'not one millisecond early');
    const metrics = (await t.request({ method: 'GET', url: '/metrics', key: null })).body;
    assert.match(metrics, new RegExp(`wafleet_outbound_queue_depth ${2 * N}\\b`));
    assert.match(metrics, /wafleet_outbound_oldest_wait_seconds 59\.999\b/);
    clock.advance(1);
    await eventually(() => texts('p1').length, (n) => n === 2 * N);
    clock.advance(60_000);
    await eventually(() => texts('p1').length, (n) => n === 3 * N);

    assert.deepEqual(texts('p1'), Array.from({ length: 3 * N }, (_, i) => `burst ${i}`), 'FIFO');
    const sentAt = new Map(t.events.filter((e) => e.type === 'message.sent').map((e) => [e.payload.id as string, e.timestamp - t0]));
    assert.deepEqual(ids.map((id) => sentAt.get(id)), [...Array(N).fill(0), ...Array(N).fill(60_000), ...Array(N).fill(120_000)]);
    assert.equal((await t.request({ method: 'GET', url: '/v1/sessions/p1/queue', key })).json().depth, 0);
  });

  test('a sync send that would wait past its timeout answers 429 with Retry-After and stores nothing', async () => {
    // The minute of the last burst is full: the next send could go in 60 s, past the 30 s timeout.
    const before = (await t.wafleet.storage.messages.list({ sessionId: 'p1', limit: 500 })).length;
    const response = await t.request({ method: 'POST', url: '/v1/sessions/p1/messages', key, payload: { to: '15550001111', type: 'text', text: 'too soon' } });
    assert.equal(response.statusCode, 429, response.body);
    assert.equal(response.json().error.code, 'SEND_RATE_LIMITED');
    assert.equal(response.headers['retry-after'], '30');
    assert.equal((await t.wafleet.storage.messages.list({ sessionId: 'p1', limit: 500 })).length, before);
    // With a timeout long enough to cover the wait it is accepted; it goes out once the minute passes.
    const accepted = t.request({ method: 'POST', url: '/v1/sessions/p1/messages?timeoutMs=90000', key, payload: { to: '15550001111', type: 'text', text: 'patient' } });
    await eventually(() => clock.pending().length, (n) => n >= 2);
    clock.advance(60_000);
    const answer = await accepted;
    assert.equal(answer.statusCode, 201, answer.body);
    assert.equal(answer.json().status, 'sent');
  });

  test('typing: "composing" for a time scaled to the text, then "paused", then the message', async () => {
    await workingSession(t, key, 'p2', { pacing: { perMinute: 0, typing: true, typingMsPerChar: 100, typingMaxMs: 10_000 } });
    const presence: string[] = [];
    const engine = t.fake.sessions.get('p2')!;
    (engine.features as { sendPresence?: (p: string, chat?: string) => Promise<void> }).sendPresence = async (p) => void presence.push(p);
    const response = await t.request({ method: 'POST', url: '/v1/sessions/p2/messages?mode=async', key, payload: { to: '15550001111', type: 'text', text: 'twelve chars' } });
    assert.equal(response.statusCode, 202);
    await eventually(() => presence, (p) => p.length === 1);
    assert.deepEqual(presence, ['composing']);
    clock.advance(1_199);
    await settle();
    assert.equal(engine.sent.length, 0, 'typing lasts 12 × 100 ms');
    clock.advance(1);
    await eventually(() => engine.sent.length, (n) => n === 1);
    assert.deepEqual(presence, ['composing', 'paused']);
  });

  test('tenant defaults apply to sessions without their own pacing; a session override wins; walls', async () => {
    const put = (tenant: string, payload: object, as = key) => t.request({ method: 'PUT', url: `/v1/tenants/${tenant}/pacing`, key: as, payload });
    const set = await put('acme', { perMinute: 1 });
    assert.equal(set.statusCode, 200, set.body);
    assert.deepEqual([set.json().override, set.json().effective.perMinute, set.json().effective.typingMaxMs], [{ perMinute: 1 }, 1, 5000]);
    await workingSession(t, key, 'p3');
    await workingSession(t, key, 'p4', { pacing: { perMinute: 3 } });
    for (const session of ['p3', 'p4']) {
      for (let i = 0; i < 3; i++) {
        const response = await t.request({ method: 'POST', url: `/v1/sessions/${session}/messages?mode=async`, key, payload: { to: '15550002222', type: 'text', text: `t${i}` } });
        assert.equal(response.statusCode, 202, response.body);
      }
    }
    await eventually(() => texts('p4').length, (n) => n === 3);
    await settle();
    assert.equal(texts('p3').length, 1, 'the tenant default (1/min) holds p3 back');
    assert.equal((await t.request({ method: 'GET', url: '/v1/sessions/p3/queue', key })).json().pacing.perMinute, 1);

    const other = await t.tenantWithKey('globex');
    assert.equal((await t.request({ method: 'GET', url: '/v1/tenants/acme/pacing', key: other })).json().error.code, 'TENANT_NOT_FOUND');
    assert.equal((await put('acme', { perMinute: 100 }, other)).json().error.code, 'TENANT_NOT_FOUND');
    const readOnly = await t.tenantWithKey('acme', ['read']);
    assert.equal((await put('acme', { perMinute: 100 }, readOnly)).statusCode, 403);
    assert.equal((await put('acme', { perMinute: -1 })).json().error.code, 'VALIDATION_FAILED');
    assert.equal((await put('acme', { perHour: 5 })).json().error.code, 'VALIDATION_FAILED');
    assert.deepEqual((await t.request({ method: 'GET', url: '/v1/tenants/acme/pacing', key: readOnly })).json().override, { perMinute: 1 }, 'bad input changed nothing');
    for (const expected of [2, 3]) {
      clock.advance(60_000);
      await eventually(() => texts('p3').length, (n) => n === expected);
    }
  });
});

describe('pacing across a restart', () => {
  test('a restarted process remembers the last minute of sends (no fresh minute after a crash)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wafleet-pacing-'));
    const masterKey = randomBytes(32).toString('base64');
    const overrides = { masterKey, outbound, rateLimit: { rps: 0, burst: 1, redisUrl: undefined } };
    try {
      const clock = new ManualClock();
      const first = await createTestApp(overrides, dataDir, { clock });
      const key = await first.tenantWithKey('acme');
      await workingSession(first, key, 'r1', { pacing: { perMinute: 1 } });
      for (const body of ['one', 'two']) {
        await first.request({ method: 'POST', url: '/v1/sessions/r1/messages?mode=async', key, payload: { to: '15550003333', type: 'text', text: body } });
      }
      await eventually(() => first.fake.sessions.get('r1')!.sent.length, (n) => n === 1);
      await first.close();

      const later = new ManualClock(clock.now() + 30_000);
      const second = await createTestApp(overrides, dataDir, { clock: later });
      try {
        await second.wafleet.resume();
        await eventually(() => second.fake.sessions.get('r1'), Boolean);
        await eventually(async () => (await second.wafleet.storage.sessions.get('r1'))?.status, (s) => s === 'WORKING');
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.equal(second.fake.sessions.get('r1')!.sent.length, 0, '"one" went out 30 s ago: "two" waits for the minute');
        later.advance(30_000);
        await eventually(() => second.fake.sessions.get('r1')!.sent.map((m) => m.content.type === 'text' && m.content.text), (texts) => texts.join() === 'two');
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
