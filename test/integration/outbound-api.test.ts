/** The outbound API over the fake engine: modes, Idempotency-Key, durability across a restart, bad input. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createTestApp, eventually, type TestApp } from '../helpers/test-app.ts';
import { workingSession } from '../helpers/working-session.ts';
import { KyselyMessageRepository } from '../../src/storage/shared/message-repository.ts';

const text = (body: string, to = '15550001111') => ({ to, type: 'text', text: body });

describe('outbound API (fake engine)', () => {
  let t: TestApp;
  let key: string;
  let otherKey: string;
  before(async () => {
    t = await createTestApp();
    key = await t.tenantWithKey('acme');
    otherKey = await t.tenantWithKey('globex');
    await workingSession(t, key, 'o1');
    await workingSession(t, otherKey, 'g1');
  });
  after(() => t.close());

  const send = (payload: object, options: { session?: string; query?: string; idem?: string; as?: string } = {}) =>
    t.request({
      method: 'POST',
      url: `/v1/sessions/${options.session ?? 'o1'}/messages${options.query ?? ''}`,
      key: options.as ?? key,
      payload,
      ...(options.idem ? { headers: { 'idempotency-key': options.idem } } : {}),
    });

  test('mode=async answers 202 queued at once; the message then moves to sent with events queued → sent', async () => {
    const response = await send(text('async hello'), { query: '?mode=async' });
    assert.equal(response.statusCode, 202, response.body);
    const { id, status, type, content } = response.json();
    assert.deepEqual([status, type, content.text], ['queued', 'text', 'async hello']);
    await eventually(async () => (await t.request({ method: 'GET', url: `/v1/sessions/o1/messages/${id}`, key })).json().status, (s) => s === 'sent');
    const types = t.events.filter((e) => e.payload.id === id).map((e) => e.type);
    assert.deepEqual(types, ['message.queued', 'message.sent']);
    assert.equal(t.fake.sessions.get('o1')!.sent.filter((m) => m.id === id).length, 1);
  });

  test('Idempotency-Key: same key and body replay the first result without sending again; another body is 409', async () => {
    const engine = t.fake.sessions.get('o1')!;
    const first = await send(text('pay invoice 42'), { idem: 'order-42' });
    assert.equal(first.statusCode, 201, first.body);
    const sentBefore = engine.sent.length;
    const again = await send({ type: 'text', text: 'pay invoice 42', to: '15550001111' }, { idem: 'order-42' });
    assert.equal(again.statusCode, 201);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(again.json().id, first.json().id);
    assert.equal(engine.sent.length, sentBefore, 'nothing sent again');

    const conflict = await send(text('pay invoice 43'), { idem: 'order-42' });
    assert.equal(conflict.statusCode, 409);
    assert.equal(conflict.json().error.code, 'IDEMPOTENCY_KEY_CONFLICT');
    const otherSession = await send(text('pay invoice 42'), { idem: 'order-42', session: 'g1', as: otherKey });
    assert.equal(otherSession.statusCode, 201, 'keys are per tenant');
    assert.notEqual(otherSession.json().id, first.json().id);
    assert.equal(engine.sent.length, sentBefore);
  });

  test('concurrent requests with one key send once', async () => {
    const engine = t.fake.sessions.get('o1')!;
    const before = engine.sent.length;
    const answers = await Promise.all([1, 2, 3].map(() => send(text('only once'), { idem: 'race-1', query: '?mode=async' })));
    assert.equal(new Set(answers.map((a) => a.json().id)).size, 1);
    await eventually(() => engine.sent.length, (n) => n === before + 1);
  });

  test('bad input is a 4xx with a registry code and stores nothing', async () => {
    const count = async () => (await t.wafleet.storage.messages.list({ sessionId: 'o1', limit: 500 })).length;
    const depth = async () => (await t.wafleet.storage.outbound.depth('o1')).depth;
    const before = [await count(), await depth()];
    const cases: Array<[Promise<{ statusCode: number; json(): any }>, number, string]> = [
      [send(text('x'), { query: '?mode=later' }), 400, 'VALIDATION_FAILED'],
      [send(text('x'), { query: '?timeoutMs=5' }), 400, 'VALIDATION_FAILED'],
      [send(text('x'), { idem: 'ünïcode-key' }), 400, 'VALIDATION_FAILED'],
      [send(text('x', 'not a number')), 400, 'INVALID_RECIPIENT'],
      [send({ to: '15550001111', type: 'image' }), 400, 'VALIDATION_FAILED'],
      [send({ to: '15550001111', type: 'reaction', messageId: 'NOPE', emoji: '👍' }), 404, 'MESSAGE_NOT_FOUND'],
      [send(text('x'), { session: 'g1' }), 404, 'SESSION_NOT_FOUND'],
    ];
    for (const [pending, status, code] of cases) {
      const response = await pending;
      assert.equal(response.statusCode, status, JSON.stringify(response.json()));
      assert.equal(response.json().error.code, code);
    }
    assert.deepEqual([await count(), await depth()], before);
    for (const pacing of [{ perMinute: -1 }, { perHour: 5 }, { typing: 'yes' }]) {
      const patched = await t.request({ method: 'PATCH', url: '/v1/sessions/o1', key, payload: { config: { pacing } } });
      assert.equal(patched.statusCode, 400, patched.body);
      assert.equal(patched.json().error.code, 'VALIDATION_FAILED');
    }
    assert.equal((await t.wafleet.storage.sessions.get('o1'))?.config.pacing, undefined, 'a bad pacing override changes nothing');
  });

  test('a session that is not WORKING refuses sends (409) and stores nothing', async () => {
    await t.request({ method: 'POST', url: '/v1/sessions', key, payload: { id: 'o-stopped', engine: 'fake' } });
    const response = await send(text('hello'), { session: 'o-stopped', query: '?mode=async' });
    assert.equal(response.statusCode, 409);
    assert.equal(response.json().error.code, 'SESSION_NOT_RUNNING');
    assert.deepEqual(await t.wafleet.storage.messages.list({ sessionId: 'o-stopped', limit: 5 }), []);
  });

  test('an engine failure marks the message failed with the reason (sync: 502 MESSAGE_SEND_FAILED)', async () => {
    const engine = t.fake.sessions.get('o1')!;
    const original = engine.sendMessage.bind(engine);
    engine.sendMessage = async () => {
      throw new Error('server said 479');
    };
    try {
      const response = await send(text('doomed'));
      assert.equal(response.statusCode, 502, response.body);
      const { messageId } = response.json().error.details;
      const stored = await t.wafleet.storage.messages.get('o1', messageId);
      assert.deepEqual([stored?.status, stored?.statusReason], ['failed', 'server said 479']);
      assert.equal((await t.wafleet.storage.outbound.depth('o1')).depth, 0, 'a failed message leaves the queue');
    } finally {
      engine.sendMessage = original;
    }
  });

  test('a store error while recording a send: every message still ends sent once, and message.sent events keep the send order', async () => {
    const engine = t.fake.sessions.get('o1')!;
    const original = KyselyMessageRepository.prototype.markSent;
    let failures = 1;
    KyselyMessageRepository.prototype.markSent = function (...args: Parameters<typeof original>) {
      if (failures-- > 0) return Promise.reject(new Error('store hiccup'));
      return original.apply(this, args);
    };
    // Hold the first send until all five are queued, so several records are in the pipeline at once.
    const sendMessage = engine.sendMessage.bind(engine);
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    engine.sendMessage = async (message) => {
      await gate;
      return sendMessage(message);
    };
    try {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await send(text(`hiccup ${i}`), { query: '?mode=async' })).json().id as string);
      openGate();
      const statuses = async () => Promise.all(ids.map(async (id) => (await t.wafleet.storage.messages.get('o1', id))?.status));
      await eventually(statuses, (all) => all.every((status) => status === 'sent'), 8000);
      const sentEvents = t.events.filter((e) => e.type === 'message.sent' && ids.includes(e.payload.id as string)).map((e) => e.payload.id);
      assert.deepEqual(sentEvents, ids, 'one message.sent each, in the order the messages were accepted');
      assert.ok(engine.sent.filter((m) => m.id === ids[0]).length >= 2, 'the message whose record failed went again under its id');
      assert.equal((await t.wafleet.storage.outbound.depth('o1')).depth, 0);
    } finally {
      KyselyMessageRepository.prototype.markSent = original;
      engine.sendMessage = sendMessage;
    }
  });

  test('queue stats and /metrics (no session ids in labels)', async () => {
    const stats = await t.request({ method: 'GET', url: '/v1/sessions/o1/queue', key });
    assert.equal(stats.statusCode, 200);
    assert.equal(stats.json().depth, 0);
    assert.equal((await t.request({ method: 'GET', url: '/v1/sessions/o1/queue', key: otherKey })).statusCode, 404);
    const metrics = (await t.request({ method: 'GET', url: '/metrics', key: null })).body;
    assert.match(metrics, /wafleet_outbound_queue_depth 0/);
    assert.match(metrics, /wafleet_outbound_oldest_wait_seconds 0/);
    assert.match(metrics, /wafleet_outbound_messages_total\{result="sent"\} \d+/);
    assert.match(metrics, /wafleet_outbound_wait_seconds_bucket\{le="[^"]+",result="failed"\}/);
    assert.doesNotMatch(metrics, /o1|g1|acme/);
  });
});

describe('outbound queue survives a restart', () => {
  test('queued messages are sent after restart, in order, with the ids they were given when accepted', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wafleet-outbound-'));
    const masterKey = randomBytes(32).toString('base64');
    try {
      const first = await createTestApp({ masterKey }, dataDir);
      const key = await first.tenantWithKey('acme');
      await workingSession(first, key, 'q1', { pacing: { perMinute: 1 } });
      const ids: string[] = [];
      for (const body of ['one', 'two', 'three']) {
        const response = await first.request({ method: 'POST', url: '/v1/sessions/q1/messages?mode=async', key, payload: text(body) });
        ids.push(response.json().id);
      }
      await eventually(() => first.fake.sessions.get('q1')!.sent.length, (n) => n === 1);
      assert.equal((await first.request({ method: 'GET', url: '/v1/sessions/q1/queue', key })).json().depth, 2);
      await first.close();

      const second = await createTestApp({ masterKey }, dataDir);
      try {
        await second.request({ method: 'PATCH', url: '/v1/sessions/q1', key, payload: { config: { pacing: { perMinute: 0 } } } });
        await second.wafleet.resume();
        await eventually(() => second.fake.sessions.get('q1')?.sent.length ?? 0, (n) => n === 2);
        assert.deepEqual(second.fake.sessions.get('q1')!.sent.map((m) => [m.id, m.content.type === 'text' && m.content.text]), [[ids[1], 'two'], [ids[2], 'three']]);
        for (const id of ids) assert.equal((await second.wafleet.storage.messages.get('q1', id))?.status, 'sent');
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('an engine send that never answers', () => {
  test('is abandoned after the attempt timeout and retried under the same id; the queue moves on', async () => {
    const t = await createTestApp({
      outbound: {
        syncTimeoutMs: 10_000, maxAttempts: 5, attemptTimeoutMs: 150, bulkMaxRecipients: 10,
        pacing: { perMinute: 0, newContactsPerDay: 0, minGapMs: 0, jitterMs: 0, typing: false, typingMsPerChar: 0, typingMaxMs: 0 },
      },
    });
    // wafleet's timers are unref'd (they never hold a process open); here nothing else would.
    const keepAlive = setInterval(() => undefined, 1000);
    try {
      const key = await t.tenantWithKey('acme');
      await workingSession(t, key, 'h1');
      const engine = t.fake.sessions.get('h1')!;
      const original = engine.sendMessage.bind(engine);
      const tries: string[] = [];
      engine.sendMessage = async (message) => {
        tries.push(message.id);
        if (tries.length === 1) return new Promise(() => undefined); // hangs forever
        return original(message);
      };
      const response = await t.request({ method: 'POST', url: '/v1/sessions/h1/messages', key, payload: text('eventually') });
      assert.equal(response.statusCode, 201, response.body);
      assert.equal(response.json().status, 'sent');
      assert.deepEqual(tries, [response.json().id, response.json().id], 'the same id both times');
      assert.equal((await t.wafleet.storage.outbound.depth('h1')).depth, 0);
    } finally {
      clearInterval(keepAlive);
      await t.close();
    }
  });
});
