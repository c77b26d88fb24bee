/**
 * Draining and rolling restarts with real processes: drain a node in the middle of a 300-message
 * async send load spread over every node — each session moves without a new login (no QR, no 440),
 * quickly, and the receiver gets every accepted message exactly once, in order per session. Then
 * SIGTERM a node of the cluster: it hands its sessions over and exits 0.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../helpers/test-app.ts';
import { httpJson } from '../helpers/wafleet-process.ts';
import { ADMIN, PG_URL, TestCluster, percentile, simJson } from './harness.ts';

const CONTACT = '15550177901';
const MESSAGES = 300;
const SESSIONS = 6;
const phoneOf = (i: number) => `1555017${String(8000 + i)}`;
const textOf = (entry: { message: { conversation?: string; extendedTextMessage?: { text?: string } } }) => entry.message.conversation ?? entry.message.extendedTextMessage?.text ?? '';

describe('cluster drain and SIGTERM hand-over (3 processes, PostgreSQL, real Baileys)', { skip: PG_URL ? false : 'WAFLEET_TEST_PG_URL not set' }, () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await TestCluster.start();
    for (const id of ['n1', 'n2', 'n3']) await cluster.startNode(id);
    await cluster.tenant('acme');
    await simJson(cluster.sim, 'POST', '/admin/contacts', { phone: CONTACT, name: 'Erin' });
  });
  after(() => cluster?.stop());

  test(`drain a node during a ${MESSAGES}-message async load: every session moves, none lost or doubled, no 440`, { timeout: 400_000 }, async () => {
    const sessions = Array.from({ length: SESSIONS }, (_, i) => `d${i}`);
    const urls = ['n1', 'n2', 'n3'].map((id) => cluster.node(id).url);
    await Promise.all([0, 1, 2].map(async (lane) => {
      for (let i = lane; i < SESSIONS; i += 3) await cluster.pair(urls[i % 3]!, sessions[i]!, phoneOf(i));
    }));
    const onN2 = (await Promise.all(sessions.map(async (id) => ((await cluster.ownerOf(id)) === 'n2' ? id : undefined)))).filter(Boolean);
    assert.ok(onN2.length >= 1, 'least-sessions put some sessions on n2');
    const kicksBefore = await cluster.kicks();

    const accepted: Array<{ session: string; id: string; text: string }> = [];
    let drained = false;
    for (let i = 0; i < MESSAGES; i++) {
      const session = sessions[i % SESSIONS]!;
      const text = `load ${session} #${String(i).padStart(3, '0')}`;
      const res = await httpJson(urls[i % 3]!, 'POST', `/v1/sessions/${session}/messages?mode=async`, cluster.key, { to: CONTACT, type: 'text', text });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      accepted.push({ session, id: res.body.id, text });
      if (i === 60) {
        const drain = await httpJson(urls[0]!, 'POST', '/v1/nodes/n2/drain', ADMIN);
        assert.equal(drain.status, 200, JSON.stringify(drain.body));
        assert.equal(drain.body.state, 'draining');
        drained = true;
      }
    }
    assert.ok(drained);
    await eventually(async () => (await httpJson(urls[0]!, 'GET', '/v1/nodes', ADMIN)).body.items.find((n: { id: string }) => n.id === 'n2').sessions, (n) => n === 0, 60_000);
    for (const id of sessions) assert.notEqual(await cluster.ownerOf(id), 'n2');

    const inbox = await eventually(
      async () => (await simJson(cluster.sim, 'GET', `/admin/contacts/${CONTACT}/inbox`)).body as Array<{ id: string; copies: number; message: { conversation?: string } }>,
      (entries) => accepted.every((a) => entries.some((e) => e.id === a.id)),
      180_000,
    );
    const texts = inbox.map(textOf).filter((t) => t.startsWith('load '));
    assert.equal(texts.length, MESSAGES, 'every accepted message arrived');
    assert.equal(new Set(texts).size, MESSAGES, 'none arrived twice under two ids');
    for (const session of sessions) {
      const order = inbox.map(textOf).filter((t) => t.startsWith(`load ${session} `));
      assert.deepEqual(order, [...order].sort(), `${session}: in the order accepted`);
    }
    const resent = inbox.filter((e) => e.copies > 1).length;

    const moved = (await httpJson(urls[0]!, 'GET', '/v1/events?types=session.moved,session.status&limit=1000', ADMIN)).body.items as Array<{ type: string; sessionId: string; timestamp: number; payload: { from?: string; to?: string; handOverMs?: number; status?: string } }>;
    const moves = moved.filter((e) => e.type === 'session.moved' && e.payload.from === 'n2');
    assert.deepEqual(moves.map((m) => m.sessionId).sort(), [...onN2].sort() as string[]);
    const moveMs = moves.map((m) => {
      const working = moved.find((e) => e.type === 'session.status' && e.sessionId === m.sessionId && e.payload.status === 'WORKING' && e.timestamp >= m.timestamp);
      assert.ok(working, `${m.sessionId} WORKING on ${m.payload.to}`);
      return (m.payload.handOverMs ?? 0) + working.timestamp - m.timestamp;
    });
    console.log(`# drain of n2 under load: ${moves.length} sessions moved, each in p50 ${percentile(moveMs, 0.5)} ms, max ${Math.max(...moveMs)} ms; messages re-sent under their own id: ${resent}`);
    assert.ok(Math.max(...moveMs) < 10_000, `each move < 10 s (${moveMs.join(', ')} ms)`);
    assert.equal(await cluster.kicks(), kicksBefore, 'no 440: the old connection closed before the new one opened');
    const again = await httpJson(urls[0]!, 'POST', '/v1/nodes/n2/activate', ADMIN);
    assert.equal(again.body.state, 'active');
  });

  test('SIGTERM on a node of the cluster hands its sessions to the others and exits 0; no QR, no 440', { timeout: 120_000 }, async () => {
    const n3 = cluster.node('n3');
    const ids: string[] = [];
    for (let i = 0; i < SESSIONS; i++) if ((await cluster.ownerOf(`d${i}`)) === 'n3') ids.push(`d${i}`);
    assert.ok(ids.length > 0);
    const kicksBefore = await cluster.kicks();
    const since = Date.now();
    n3.served.child.kill('SIGTERM');
    assert.equal(await n3.served.exit, 0);
    const via = cluster.node('n1').url;
    for (const id of ids) {
      const s = await cluster.sessionOf(via, id);
      assert.equal(s.desiredState, 'running');
      await eventually(() => cluster.sessionOf(via, id), (x) => x.status === 'WORKING', 30_000);
      assert.ok(['n1', 'n2'].includes((await cluster.ownerOf(id, via))!));
    }
    assert.equal(await cluster.kicks(), kicksBefore);
    const qrs = await httpJson(via, 'GET', `/v1/events?types=session.qr&limit=1000`, ADMIN);
    assert.ok(!(qrs.body.items as Array<{ sessionId: string; timestamp: number }>).some((e) => ids.includes(e.sessionId) && e.timestamp >= since), 'no new QR');
    const nodes = await httpJson(via, 'GET', '/v1/nodes', ADMIN);
    assert.equal(nodes.body.items.find((n: { id: string }) => n.id === 'n3').state, 'dead', 'a node that left shows as dead');
  });
});
