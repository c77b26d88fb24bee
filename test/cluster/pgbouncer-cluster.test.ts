/**
 * Two wafleet processes whose store is reached through a real PgBouncer in transaction mode (the
 * direct URL only for migrations and LISTEN), with the in-memory fake engine so it stays cheap:
 * placement, forwarding of a live call, bulk lifecycle across nodes, move, drain of an idle node,
 * and the node API's errors. The real-Baileys scenarios run on PostgreSQL directly in the other files.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../helpers/test-app.ts';
import { httpJson } from '../helpers/wafleet-process.ts';
import { pgBouncerMissing, startPgBouncer, type RunningPgBouncer } from '../helpers/pgbouncer.ts';
import { ADMIN, PG_URL, TestCluster } from './harness.ts';

const missing = PG_URL ? pgBouncerMissing() : 'WAFLEET_TEST_PG_URL not set';
if (missing && process.env.CI === 'true' && PG_URL) throw new Error(`CI must run the PgBouncer cluster test: ${missing}`);

describe('a cluster whose store is behind PgBouncer in transaction mode (2 processes, fake engine)', { skip: missing ?? false }, () => {
  let bouncer: RunningPgBouncer;
  let cluster: TestCluster;
  before(async () => {
    bouncer = await startPgBouncer(PG_URL!);
    cluster = await TestCluster.start({ WAFLEET_ENABLE_FAKE_ENGINE: '1', WAFLEET_ENGINE_ALLOWLIST: 'scan', WAFLEET_DEFAULT_ENGINE: 'fake' }, await bouncer.newDatabase());
    await cluster.startNode('a');
    await cluster.startNode('b');
    await cluster.tenant('acme');
  });
  after(async () => {
    await cluster?.stop();
    await bouncer?.stop();
  });

  async function working(via: string, id: string): Promise<void> {
    assert.equal((await httpJson(via, 'POST', '/v1/sessions', cluster.key, { id, engine: 'fake', start: true })).status, 201);
    await eventually(() => cluster.sessionOf(via, id), (s) => s.status === 'SCAN_QR', 20_000);
    // The scan is a live call: whichever node it reaches passes it to the one that runs the session.
    const scanned = await httpJson(via, 'POST', `/v1/sessions/${id}/engine/scan`, cluster.key, { args: [] });
    assert.equal(scanned.status, 200, JSON.stringify(scanned.body));
    await eventually(() => cluster.sessionOf(via, id), (s) => s.status === 'WORKING', 20_000);
  }

  test('sessions spread over both nodes; live calls through either node; bulk stop and start act where each session runs', { timeout: 120_000 }, async () => {
    const a = cluster.node('a').url;
    const b = cluster.node('b').url;
    for (let i = 0; i < 6; i++) await working(i % 2 ? b : a, `f${i}`);
    const owners = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => cluster.ownerOf(`f${i}`, a)));
    assert.deepEqual([...new Set(owners)].sort(), ['a', 'b'], `least-sessions used both nodes: ${owners.join(',')}`);
    const nodes = (await httpJson(a, 'GET', '/v1/nodes', ADMIN)).body.items as Array<{ id: string; sessions: number }>;
    assert.deepEqual(nodes.map((n) => n.sessions), [3, 3]);

    const stopped = await httpJson(a, 'POST', '/v1/bulk/sessions', cluster.key, { action: 'stop', ids: ['f0', 'f1', 'f2', 'f3'] });
    assert.equal(stopped.status, 200);
    assert.ok((stopped.body.results as Array<{ ok: boolean; status: string }>).every((r) => r.ok && r.status === 'STOPPED'), JSON.stringify(stopped.body));
    for (const id of ['f0', 'f1', 'f2', 'f3']) assert.equal((await cluster.sessionOf(b, id)).status, 'STOPPED');
    const started = await httpJson(b, 'POST', '/v1/bulk/sessions', cluster.key, { action: 'start', ids: ['f0', 'f1'] });
    assert.ok((started.body.results as Array<{ ok: boolean }>).every((r) => r.ok), JSON.stringify(started.body));
    // Stored credentials: the fake engine connects without a new scan.
    for (const id of ['f0', 'f1']) await eventually(() => cluster.sessionOf(a, id), (s) => s.status === 'WORKING', 20_000);

    // A call passed to another node is audited once, by the node that ran it, with the client's address.
    const owner = (await cluster.ownerOf('f5', a))!;
    const other = cluster.node(owner === 'a' ? 'b' : 'a').url;
    const restarted = await fetch(`${other}/v1/sessions/f5/restart`, { method: 'POST', headers: { authorization: `Bearer ${cluster.key}`, 'x-request-id': 'audit-once-f5' } });
    assert.equal(restarted.status, 200);
    assert.equal(restarted.headers.get('x-wafleet-node'), owner);
    const rows = await eventually(
      async () => ((await httpJson(a, 'GET', '/v1/audit?limit=500', ADMIN)).body.items as Array<{ requestId: string; result: string; sourceIp: string }>).filter((r) => r.requestId === 'audit-once-f5'),
      (found) => found.length > 0,
      10_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const settled = ((await httpJson(a, 'GET', '/v1/audit?limit=500', ADMIN)).body.items as Array<{ requestId: string; result: string; sourceIp: string }>).filter((r) => r.requestId === 'audit-once-f5');
    assert.equal(settled.length, 1, JSON.stringify(settled));
    assert.equal(rows[0]!.result, 'ok');
    assert.equal(rows[0]!.sourceIp, '127.0.0.1');
  });

  test('move a session; drain an idle node; the node API refuses what cannot be done', { timeout: 60_000 }, async () => {
    const a = cluster.node('a').url;
    const from = (await cluster.ownerOf('f4', a))!;
    const to = from === 'a' ? 'b' : 'a';
    const moved = await httpJson(a, 'POST', '/v1/sessions/f4/move', ADMIN, { node: to });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    assert.deepEqual(moved.body, { id: 'f4', from, to });
    await eventually(() => cluster.ownerOf('f4', a), (owner) => owner === to, 20_000);
    await eventually(() => cluster.sessionOf(a, 'f4'), (s) => s.status === 'WORKING', 20_000);

    assert.equal((await httpJson(a, 'POST', '/v1/sessions/f4/move', ADMIN, { node: 'nowhere' })).body.error.code, 'NODE_NOT_FOUND');
    assert.equal((await httpJson(a, 'POST', '/v1/sessions/f4/move', cluster.key, {})).status, 403, 'a tenant key cannot move sessions');
    assert.equal((await httpJson(a, 'GET', '/v1/nodes', cluster.key)).status, 403);
    assert.equal((await httpJson(a, 'POST', '/v1/nodes/nowhere/drain', ADMIN)).status, 404);
    const stats = await httpJson(a, 'GET', '/v1/nodes/a/stats?from=10&to=5', ADMIN);
    assert.equal(stats.body.error.code, 'VALIDATION_FAILED');

    // Drain every session off `to`: afterwards the other node has them all; new ones go there too.
    assert.equal((await httpJson(a, 'POST', `/v1/nodes/${to}/drain`, ADMIN)).body.state, 'draining');
    await eventually(async () => (await httpJson(a, 'GET', '/v1/nodes', ADMIN)).body.items.find((n: { id: string }) => n.id === to).sessions, (n) => n === 0, 30_000);
    await working(a, 'f9');
    assert.equal(await cluster.ownerOf('f9', a), from, 'a draining node takes no new sessions');
    assert.equal((await httpJson(a, 'POST', `/v1/nodes/${to}/activate`, ADMIN)).body.state, 'active');
  });
});
