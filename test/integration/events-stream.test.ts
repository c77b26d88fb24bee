/** GET /v1/events paging and the /v1/events/ws stream: tenant walls, filters, close codes, resume without gaps. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { eventually, type TestApp } from '../helpers/test-app.ts';
import { webhookApp, workingSession } from './webhooks-fixtures.ts';
import { userToken } from '../helpers/users.ts';

interface Frame {
  id?: string;
  type: string;
  tenantId?: string;
  sessionId?: string | null;
  lastEventId?: string | null;
}

class Client {
  readonly frames: Frame[] = [];
  closed: { code: number; reason: string } | undefined;
  readonly ws: WebSocket;
  constructor(url: string, headers: Record<string, string> = {}) {
    this.ws = new WebSocket(url, { headers });
    this.ws.on('message', (data) => this.frames.push(JSON.parse(String(data)) as Frame));
    this.ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
    });
    this.ws.on('error', () => undefined);
  }
  events(): Frame[] {
    return this.frames.filter((f) => f.id !== undefined);
  }
  live(): Promise<unknown> {
    return eventually(() => this.frames.some((f) => f.type === 'stream.live'), Boolean);
  }
  closedWith(): Promise<{ code: number; reason: string }> {
    return eventually(() => this.closed, (c) => c !== undefined) as Promise<{ code: number; reason: string }>;
  }
}

describe('event stream', () => {
  let t: TestApp;
  let base: string;
  let acme: string;
  let globex: string;
  before(async () => {
    t = await webhookApp();
    acme = await t.tenantWithKey('acme');
    globex = await t.tenantWithKey('globex');
    const address = await t.wafleet.app.listen({ port: 0, host: '127.0.0.1' });
    base = address.replace('http://', 'ws://');
  });
  after(() => t.close());

  test('two tenants connected: each sees only its own events', async () => {
    const a = new Client(`${base}/v1/events/ws`, { authorization: `Bearer ${acme}` });
    const g = new Client(`${base}/v1/events/ws?key=${globex}`);
    await Promise.all([a.live(), g.live()]);
    await workingSession(t, acme, 'a1');
    await workingSession(t, globex, 'g1');
    t.fake.sessions.get('a1')!.receive('15551230000', 'for acme');
    t.fake.sessions.get('g1')!.receive('15551230000', 'for globex');
    await eventually(() => a.events().some((f) => f.type === 'message.received'), Boolean);
    await eventually(() => g.events().some((f) => f.type === 'message.received'), Boolean);
    assert.ok(a.events().every((f) => f.tenantId === 'acme' && f.sessionId === 'a1'));
    assert.ok(g.events().every((f) => f.tenantId === 'globex' && f.sessionId === 'g1'));
    a.ws.close();
    g.ws.close();
  });

  test('filters by session and type (prefix)', async () => {
    const c = new Client(`${base}/v1/events/ws?session=a1&types=message.*`, { 'x-api-key': acme });
    await c.live();
    t.fake.sessions.get('a1')!.receive('15551230000', 'one');
    await workingSession(t, acme, 'a2');
    t.fake.sessions.get('a2')!.receive('15551230000', 'two');
    await eventually(() => c.events().length, (n) => n >= 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(c.events().every((f) => f.sessionId === 'a1' && f.type.startsWith('message.')));
    c.ws.close();
  });

  test('resume after a disconnect misses nothing and repeats nothing', async () => {
    const first = new Client(`${base}/v1/events/ws?session=a1`, { authorization: `Bearer ${acme}` });
    await first.live();
    t.fake.sessions.get('a1')!.receive('15551230000', 'before drop');
    await eventually(() => first.events().length, (n) => n >= 1);
    const last = first.events().at(-1)!.id!;
    first.ws.terminate();
    // While away: events keep happening, and keep happening during the reconnect.
    for (let i = 0; i < 5; i += 1) t.fake.sessions.get('a1')!.receive('15551230000', `away ${i}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = new Client(`${base}/v1/events/ws?session=a1&after=${last}`, { authorization: `Bearer ${acme}` });
    for (let i = 0; i < 5; i += 1) t.fake.sessions.get('a1')!.receive('15551230000', `racing ${i}`);
    await second.live();
    for (let i = 0; i < 3; i += 1) t.fake.sessions.get('a1')!.receive('15551230000', `after ${i}`);
    const stored = async () => (await t.request({ method: 'GET', url: `/v1/events?session=a1&after=${last}&limit=1000`, key: acme })).json().items as Array<{ id: string }>;
    const expected = await eventually(stored, (items) => items.length >= 13);
    await eventually(() => second.events().length, (n) => n >= expected.length);
    const got = second.events().map((f) => f.id!);
    assert.deepEqual(got, expected.map((e) => e.id), 'every event after the cursor, once, in order');
    second.ws.close();
  });

  test('close codes: 4401 without or with a bad key, 4403 without read scope, 4400 for a bad filter or cursor', async () => {
    assert.equal((await new Client(`${base}/v1/events/ws`).closedWith()).code, 4401);
    assert.equal((await new Client(`${base}/v1/events/ws?key=wfk_nope`).closedWith()).code, 4401);
    const sendOnly = await t.tenantWithKey('acme', ['send']);
    assert.equal((await new Client(`${base}/v1/events/ws?key=${sendOnly}`).closedWith()).code, 4403);
    assert.equal((await new Client(`${base}/v1/events/ws?key=${acme}&types=not%20a%20type`).closedWith()).code, 4400);
    assert.equal((await new Client(`${base}/v1/events/ws?key=${acme}&after=zzz`).closedWith()).code, 4400);
    assert.equal((await new Client(`${base}/v1/events/ws?key=${acme}&tenant=globex`).closedWith()).code, 4400);
  });

  test('logging out ends the streams the login opened; revoking a key ends its streams (4401)', async () => {
    const { token } = await userToken(t, 'stream-viewer@acme.test', 'viewer', 'acme');
    const person = new Client(`${base}/v1/events/ws`, { authorization: `Bearer ${token}` });
    const issued = (await t.request({ method: 'POST', url: '/v1/tenants/acme/keys', payload: { name: 'stream', scopes: ['read'] } })).json();
    const keyed = new Client(`${base}/v1/events/ws?key=${issued.key as string}`);
    const bystander = new Client(`${base}/v1/events/ws?key=${acme}`);
    await Promise.all([person.live(), keyed.live(), bystander.live()]);
    const out = await t.request({ method: 'POST', url: '/v1/auth/logout', headers: { authorization: `Bearer ${token}` }, key: null });
    assert.ok(out.statusCode < 300, out.body);
    assert.equal((await eventually(() => person.closed, Boolean, 15_000))!.code, 4401);
    assert.equal((await t.request({ method: 'DELETE', url: `/v1/keys/${issued.id as string}` })).statusCode, 204);
    assert.equal((await eventually(() => keyed.closed, Boolean, 15_000))!.code, 4401);
    assert.equal(bystander.closed, undefined, 'other credentials keep their streams');
    bystander.ws.close();
  });

  test('heartbeat: the server pings; a client that answers stays connected', async () => {
    const c = new Client(`${base}/v1/events/ws`, { authorization: `Bearer ${acme}` });
    let pings = 0;
    c.ws.on('ping', () => (pings += 1));
    await c.live();
    await eventually(() => pings, (n) => n >= 2, 2000);
    assert.equal(c.closed, undefined);
    c.ws.close();
  });

  test('GET /v1/events pages through retained events of the caller only', async () => {
    const seen: Array<{ id: string; tenantId: string }> = [];
    let after: string | null = null;
    for (;;) {
      const res = await t.request({ method: 'GET', url: `/v1/events?limit=3${after ? `&after=${after}` : ''}`, key: acme });
      assert.equal(res.statusCode, 200);
      const page = res.json() as { items: Array<{ id: string; tenantId: string }>; next: string | null };
      seen.push(...page.items);
      if (!page.next) break;
      after = page.next;
    }
    assert.ok(seen.length > 5);
    assert.ok(seen.every((e) => e.tenantId === 'acme'));
    assert.deepEqual(seen.map((e) => e.id), [...seen.map((e) => e.id)].sort());
    assert.equal(new Set(seen.map((e) => e.id)).size, seen.length);
    const admin = await t.request({ method: 'GET', url: '/v1/events?limit=1000' });
    const adminItems = admin.json().items as Array<{ tenantId: string; type: string }>;
    const tenants = new Set(adminItems.map((e) => e.tenantId));
    // An admin also sees the cluster's own events (node.up …), which belong to no tenant ("*").
    assert.deepEqual([...tenants].sort(), ['*', 'acme', 'globex']);
    assert.ok(adminItems.filter((e) => e.tenantId === '*').every((e) => e.type.startsWith('node.')));
    const onlyGlobex = await t.request({ method: 'GET', url: '/v1/events?tenant=globex&types=session.status,message.*&limit=1000' });
    assert.ok((onlyGlobex.json().items as Array<{ tenantId: string; type: string }>).every((e) => e.tenantId === 'globex' && (e.type === 'session.status' || e.type.startsWith('message.'))));
    const otherTenant = await t.request({ method: 'GET', url: '/v1/events?tenant=globex', key: acme });
    assert.deepEqual(otherTenant.json().items, []);
    const otherSession = await t.request({ method: 'GET', url: '/v1/events?session=g1', key: acme });
    assert.deepEqual(otherSession.json().items, []);
    const bad = await t.request({ method: 'GET', url: '/v1/events?types=BAD!', key: acme });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.code, 'VALIDATION_FAILED');
    const badCursor = await t.request({ method: 'GET', url: '/v1/events?after=lower-case', key: acme });
    assert.equal(badCursor.statusCode, 400);
    const noKey = await t.request({ method: 'GET', url: '/v1/events', key: null });
    assert.equal(noKey.statusCode, 401);
  });
});

describe('a key given as ?key= on the WebSocket URL', () => {
  test('authenticates and never reaches the logs', async () => {
    const { Writable } = await import('node:stream');
    const { createLogger } = await import('../../src/logging/logger.ts');
    const { createWafleet } = await import('../../src/wafleet.ts');
    const { loadConfig } = await import('../../src/config/config.ts');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { randomBytes } = await import('node:crypto');
    let logs = '';
    const sink = new Writable({ write(chunk: Buffer, _enc, done) { logs += chunk.toString(); done(); } });
    const dir = mkdtempSync(join(tmpdir(), 'wafleet-wslog-'));
    const admin = 'ws-log-admin-key-0123456789abcdef';
    const wafleet = await createWafleet(
      loadConfig({ WAFLEET_ADMIN_KEY: admin, WAFLEET_MASTER_KEY: randomBytes(32).toString('base64') }, { dataDir: dir }),
      { logger: createLogger('info', sink) },
    );
    try {
      const address = await wafleet.app.listen({ port: 0, host: '127.0.0.1' });
      const c = new Client(`${address.replace('http://', 'ws://')}/v1/events/ws?types=session.*&key=${admin}`);
      await c.live();
      c.ws.close();
      await eventually(() => c.closed, Boolean);
      assert.match(logs, /\/v1\/events\/ws\?types=session/);
      assert.ok(!logs.includes(admin), 'the key is not logged');
    } finally {
      await wafleet.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
