/**
 * Three (then five) wafleet processes on one PostgreSQL, real Baileys against sim/: sessions created
 * through any node land where the placement policy says (weights 1/1/2, capacity, tags), every
 * node answers every call (x-wafleet-node names who ran it), a WebSocket on one node streams
 * another node's events, and each webhook event is delivered once, by one node.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { eventually } from '../helpers/test-app.ts';
import { httpJson } from '../helpers/wafleet-process.ts';
import { ADMIN, PG_URL, TestCluster, inboxIds, simJson } from './harness.ts';

const SESSIONS = 30;
const CONTACT = '15550188001';
const phoneOf = (i: number) => `1555018${String(1000 + i)}`;

describe('cluster: placement, forwarding, cluster-wide events (3–5 processes, PostgreSQL, real Baileys)', { skip: PG_URL ? false : 'WAFLEET_TEST_PG_URL not set' }, () => {
  let cluster: TestCluster;
  let receiver: Server;
  const deliveries: Array<{ id: string; type: string }> = [];

  before(async () => {
    cluster = await TestCluster.start({ WAFLEET_PLACEMENT: 'weighted', WAFLEET_ALLOW_PRIVATE_URLS: '1', WAFLEET_WEBHOOK_RETRY_BASE_MS: '200' });
    await cluster.startNode('n1', { weight: 1 });
    await cluster.startNode('n2', { weight: 1 });
    await cluster.startNode('n3', { weight: 2 });
    await cluster.tenant('acme');
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const event = JSON.parse(body) as { id: string; type: string };
        deliveries.push({ id: event.id, type: event.type });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    await cluster?.stop();
    receiver?.close();
  });

  test(`${SESSIONS} sessions paired through rotating nodes follow the weights 1/1/2; every node answers for every session`, { timeout: 400_000 }, async () => {
    const urls = ['n1', 'n2', 'n3'].map((id) => cluster.node(id).url);
    const hook = await httpJson(urls[0]!, 'POST', '/v1/webhooks', cluster.key, { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, events: ['message.*'] });
    assert.equal(hook.status, 201, JSON.stringify(hook.body));
    let next = 0;
    const pairOne = async (): Promise<void> => {
      while (next < SESSIONS) {
        const i = next++;
        await cluster.pair(urls[i % 3]!, `p${i}`, phoneOf(i));
      }
    };
    await Promise.all([pairOne(), pairOne(), pairOne()]);

    const nodes = (await httpJson(urls[0]!, 'GET', '/v1/nodes', ADMIN)).body.items as Array<{ id: string; sessions: number; state: string; weight: number; stats: Record<string, unknown> }>;
    const counts = Object.fromEntries(nodes.map((n) => [n.id, n.sessions]));
    console.log(`# placement (weighted 1/1/2) of ${SESSIONS} sessions: ${JSON.stringify(counts)}`);
    assert.equal(counts.n1! + counts.n2! + counts.n3!, SESSIONS);
    assert.ok(Math.abs(counts.n3! - SESSIONS / 2) <= 1, `n3 (weight 2) holds about half: ${JSON.stringify(counts)}`);
    assert.ok(Math.abs(counts.n1! - counts.n2!) <= 1, `n1 and n2 hold about a quarter each: ${JSON.stringify(counts)}`);
    assert.ok(nodes.every((n) => n.state === 'active' && typeof n.stats.rssBytes === 'number'));

    // Every node answers for every session, and says which node ran the call.
    for (const i of [0, 1, 2, 3]) {
      const owner = await cluster.ownerOf(`p${i}`, urls[0]);
      for (const url of urls) assert.equal(await cluster.ownerOf(`p${i}`, url), owner, `p${i} via ${url}`);
    }
    // A sync send through a node that does not run the session: forwarded, answered when WhatsApp took it.
    await simJson(cluster.sim, 'POST', '/admin/contacts', { phone: CONTACT, name: 'Carol' });
    const owner = await cluster.ownerOf('p0');
    const other = urls[['n1', 'n2', 'n3'].findIndex((id) => id !== owner)]!;
    const response = await fetch(`${other}/v1/sessions/p0/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cluster.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ to: CONTACT, type: 'text', text: 'forwarded to the owner' }),
    });
    const sent = (await response.json()) as { id: string; status: string };
    assert.equal(response.status, 201, JSON.stringify(sent));
    assert.equal(response.headers.get('x-wafleet-node'), owner);
    await eventually(() => inboxIds(cluster.sim, CONTACT), (ids) => ids.includes(sent.id), 20_000);
    // A store read is answered where it arrives.
    const read = await fetch(`${other}/v1/sessions/p0`, { headers: { authorization: `Bearer ${cluster.key}` } });
    assert.equal(read.headers.get('x-wafleet-node'), new URL(other).port && [...cluster.nodes.values()].find((n) => n.url === other)!.id);
    assert.equal(((await read.json()) as { status: string }).status, 'WORKING');
  });

  test('a WebSocket on one node streams the events of a session another node runs, in order', { timeout: 60_000 }, async () => {
    const owner = (await cluster.ownerOf('p1'))!;
    const elsewhere = [...cluster.nodes.values()].find((n) => n.id !== owner)!;
    const socket = new WebSocket(`${elsewhere.url.replace('http', 'ws')}/v1/events/ws?session=p1&types=message.received`, { headers: { authorization: `Bearer ${cluster.key}` } });
    const received: Array<{ id: string; text: string }> = [];
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { id: string; type: string; payload?: { content?: { text?: string } } };
      if (frame.type === 'message.received') received.push({ id: frame.id, text: frame.payload?.content?.text ?? '' });
    });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    await simJson(cluster.sim, 'POST', '/admin/contacts', { phone: CONTACT, name: 'Carol' });
    for (let i = 0; i < 5; i++) await simJson(cluster.sim, 'POST', `/admin/contacts/${CONTACT}/send`, { to: phoneOf(1), text: `hello ${i}` });
    await eventually(() => received.length, (n) => n >= 5, 30_000);
    assert.deepEqual(received.map((r) => r.text).sort(), [0, 1, 2, 3, 4].map((i) => `hello ${i}`));
    // In the order of the event log (the owner records them as Baileys decrypts them): the same order a
    // client on the owner would see, and the order a replay from a cursor gives.
    const log = await httpJson(cluster.node(owner).url, 'GET', '/v1/events?session=p1&types=message.received&limit=100', cluster.key);
    const logged = (log.body.items as Array<{ id: string }>).map((e) => e.id).filter((id) => received.some((r) => r.id === id));
    assert.deepEqual(received.map((r) => r.id), logged);
    socket.close();
  });

  test('each webhook event is delivered once: one node makes each attempt', { timeout: 60_000 }, async () => {
    // Message events of 30 sessions on three nodes, every node sweeping the outbox: no event twice.
    await eventually(() => deliveries.filter((d) => d.type === 'message.received').length, (n) => n >= 5, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const ids = deliveries.map((d) => d.id);
    assert.ok(ids.length > 0);
    assert.equal(new Set(ids).size, ids.length, `duplicated deliveries: ${ids.filter((id, i) => ids.indexOf(id) !== i).join(', ')}`);
    const log = await httpJson(cluster.anyUrl(), 'GET', '/v1/events?types=message.*&limit=1000', cluster.key);
    assert.deepEqual(new Set(ids), new Set((log.body.items as Array<{ id: string }>).map((e) => e.id)), 'every message event was delivered');
  });

  test('capacity and tags: tagged sessions go only to a matching node with room; none fits → 503, placed once one joins', { timeout: 120_000 }, async () => {
    await cluster.startNode('n4', { capacity: 1, tags: 'region=us' });
    const via = cluster.node('n1').url;
    await cluster.pair(via, 'us1', phoneOf(90), { tags: { region: 'us' } });
    assert.equal(await cluster.ownerOf('us1'), 'n4');
    const full = await httpJson(via, 'POST', '/v1/sessions', cluster.key, { id: 'us2', start: true, placement: { tags: { region: 'us' } } });
    assert.equal(full.status, 503, JSON.stringify(full.body));
    assert.equal(full.body.error.code, 'NO_NODE_AVAILABLE');
    assert.match(full.body.error.message, /capacity/);
    const stored = await cluster.sessionOf(via, 'us2');
    assert.equal(stored.desiredState, 'running', 'kept, to be placed once a node fits');
    await cluster.startNode('n5', { tags: 'region=us,tier=b' });
    await eventually(() => cluster.sessionOf(via, 'us2'), (s) => s.status === 'SCAN_QR', 30_000);
    assert.equal(await cluster.ownerOf('us2'), 'n5');
    const wrongTag = await httpJson(via, 'POST', '/v1/sessions', cluster.key, { id: 'eu1', start: true, placement: { tags: { region: 'mars' } } });
    assert.equal(wrongTag.status, 503);
    assert.match(wrongTag.body.error.message, /region=mars/);
    assert.equal(await cluster.kicks(), 0, 'no login was ever replaced');
  });
});
