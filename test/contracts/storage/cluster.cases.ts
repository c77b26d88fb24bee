/**
 * Cluster store: leases (acquire / renew / steal / expiry / hand-over / release), fencing of every
 * owner write, orphans, nodes and their liveness, stats, webhook claims per node. Time is injected
 * (`at`), so expiry is tested without waiting.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EMPTY_NODE_STATS, type NodeRecord } from '../../../src/domain/cluster.ts';
import { FencedWriteError } from '../../../src/storage/ports.ts';
import { buf, seed, session, type StorageContext } from './harness.ts';

const T0 = 1_800_000_000_000;
const TTL = 15_000;
const at = (ms: number) => ({ ttlMs: TTL, at: T0 + ms });

function node(id: string, overrides: Partial<NodeRecord> = {}): NodeRecord {
  return {
    id, url: `http://${id}.test:3000`, instance: `${id}-i1`, state: 'active', version: '0.1.0', startedAt: T0, heartbeatAt: T0,
    capacity: null, weight: 1, tags: { region: 'eu' }, stats: EMPTY_NODE_STATS, ...overrides,
  };
}

export function registerClusterCases(ctx: StorageContext): void {
  describe('cluster: leases, fencing, nodes', () => {
    test('acquire: free → epoch 1; held elsewhere → refused with the owner; expired → taken with the next epoch', () =>
      ctx.withStorage(async (storage) => {
        await seed(storage);
        const first = await storage.cluster.acquire('s1', 'n1', 'n1-i1', at(0));
        assert.deepEqual(first, { acquired: true, fence: { holder: 'n1-i1', epoch: 1 } });
        const refused = await storage.cluster.acquire('s1', 'n2', 'n2-i1', at(TTL - 1));
        assert.equal(refused.acquired, false);
        assert.ok(!refused.acquired && refused.lease.nodeId === 'n1' && refused.lease.live && refused.lease.expiresAt === T0 + TTL);
        const stolen = await storage.cluster.acquire('s1', 'n2', 'n2-i1', at(TTL));
        assert.deepEqual(stolen, { acquired: true, fence: { holder: 'n2-i1', epoch: 2 } });
        // A restarted process of the node that holds it takes it over at once.
        assert.deepEqual(await storage.cluster.acquire('s1', 'n2', 'n2-i2', at(TTL + 1)), { acquired: true, fence: { holder: 'n2-i2', epoch: 3 } });
      }));

    test('heartbeat renews, in one call, the unexpired leases this process holds or its node was assigned — nothing else', () =>
      ctx.withStorage(async (storage) => {
        await seed(storage);
        await storage.sessions.create(session('s3', 'acme'));
        await storage.cluster.registerNode(node('n1'));
        await storage.cluster.registerNode(node('n2'));
        await storage.cluster.acquire('s1', 'n1', 'n1-i1', at(0));
        await storage.cluster.assign('s2', 'n1', at(0));
        await storage.cluster.acquire('s3', 'n2', 'n2-i1', at(0));
        const beat = await storage.cluster.heartbeat('n1', 'n1-i1', { ...EMPTY_NODE_STATS, rssBytes: 42 }, at(10_000));
        assert.deepEqual(beat.node, { state: 'active', instance: 'n1-i1' });
        assert.equal(beat.now, T0 + 10_000);
        assert.deepEqual(beat.leases.sort((a, b) => a.sessionId.localeCompare(b.sessionId)), [
          { sessionId: 's1', epoch: 1, holder: 'n1-i1' },
          { sessionId: 's2', epoch: 1, holder: null },
        ]);
        assert.equal((await storage.cluster.get('s1', at(10_000)))?.expiresAt, T0 + 10_000 + TTL);
        assert.equal((await storage.cluster.get('s3', at(10_000)))?.expiresAt, T0 + TTL, "another node's lease is untouched");
        assert.equal((await storage.cluster.getNode('n1'))?.stats.rssBytes, 42);
        // Too late: an expired lease is not renewed (it may be someone else's by now).
        const late = await storage.cluster.heartbeat('n2', 'n2-i1', EMPTY_NODE_STATS, at(TTL + 1));
        assert.deepEqual(late.leases, []);
        // A process that lost its node id to a newer one renews nothing and learns who holds it.
        await storage.cluster.registerNode(node('n1', { instance: 'n1-i2' }));
        const replaced = await storage.cluster.heartbeat('n1', 'n1-i1', EMPTY_NODE_STATS, at(11_000));
        assert.deepEqual(replaced.node, { state: 'active', instance: 'n1-i2' });
        assert.deepEqual(replaced.leases, []);
      }));

    test('assign places an orphan only; hand-over needs the current fence; release keeps the epoch growing', () =>
      ctx.withStorage(async (storage) => {
        await seed(storage);
        assert.equal(await storage.cluster.assign('s1', 'n2', at(0)), 1);
        assert.equal(await storage.cluster.assign('s1', 'n3', at(1)), undefined, 'a live assignment is not re-placed');
        assert.equal((await storage.cluster.acquire('s1', 'n3', 'n3-i1', at(2))).acquired, false, 'assigned to n2, not n3');
        const taken = await storage.cluster.acquire('s1', 'n2', 'n2-i1', at(2));
        assert.deepEqual(taken, { acquired: true, fence: { holder: 'n2-i1', epoch: 2 } });
        assert.equal(await storage.cluster.handOver('s1', { holder: 'n2-i1', epoch: 1 }, 'n3', at(3)), undefined, 'stale fence');
        assert.equal(await storage.cluster.handOver('s1', { holder: 'n2-i1', epoch: 2 }, 'n3', at(3)), 3);
        const lease = await storage.cluster.get('s1', at(3));
        assert.deepEqual({ node: lease?.nodeId, holder: lease?.holder, epoch: lease?.epoch }, { node: 'n3', holder: null, epoch: 3 });
        const mine = await storage.cluster.acquire('s1', 'n3', 'n3-i1', at(4));
        assert.ok(mine.acquired);
        assert.equal(await storage.cluster.release('s1', { holder: 'n3-i1', epoch: 3 }), false, 'stale fence');
        assert.equal(await storage.cluster.release('s1', mine.fence), true);
        const released = await storage.cluster.get('s1', at(5));
        assert.deepEqual({ node: released?.nodeId, live: released?.live, epoch: released?.epoch }, { node: null, live: false, epoch: 4 });
        assert.deepEqual(await storage.cluster.acquire('s1', 'n1', 'n1-i1', at(6)), { acquired: true, fence: { holder: 'n1-i1', epoch: 5 } });
        assert.equal(await storage.cluster.holds('s1', { holder: 'n1-i1', epoch: 5 }), true);
        assert.equal(await storage.cluster.holds('s1', { holder: 'n1-i1', epoch: 4 }), false);
        await storage.cluster.assign('s2', 'n1', at(7));
        assert.equal(await storage.cluster.unassign('s2', 'n2'), false, 'not assigned to n2');
        assert.equal(await storage.cluster.releaseAll('n1', 'n1-i1'), 2, 'its lease and its unstarted assignment');
        assert.equal((await storage.cluster.get('s2', at(8)))?.live, false);
        await storage.cluster.assign('s2', 'n1', at(9));
        assert.equal(await storage.cluster.unassign('s2', 'n1'), true);
        // A restarted node turns what its earlier process held into assignments to start again.
        await storage.cluster.acquire('s1', 'n1', 'n1-i1', at(10));
        assert.equal(await storage.cluster.reclaimNodeLeases('n1', 'n1-i2'), 1);
        const reclaimed = await storage.cluster.get('s1', at(11));
        assert.deepEqual({ node: reclaimed?.nodeId, holder: reclaimed?.holder, live: reclaimed?.live }, { node: 'n1', holder: null, live: true });
      }));

    test('fencing: a stale epoch writes nothing — auth state (one key, a batch, clear), session status, send queue', () =>
      ctx.withStorage(async (storage) => {
        await seed(storage);
        const old = await storage.cluster.acquire('s1', 'n1', 'n1-i1', at(0));
        assert.ok(old.acquired);
        await storage.authState.write('s1', [{ category: 'session', keyId: 'a', value: buf('v1') }], old.fence);
        await storage.authState.write('s1', [{ category: 'session', keyId: 'b', value: buf('b1') }, { category: 'session', keyId: 'c', value: buf('c1') }], old.fence);
        await storage.sessions.update('s1', { status: 'WORKING' }, T0, old.fence);
        await storage.outbound.enqueue([{ sessionId: 's1', messageId: 'm1', tenantId: 'acme', seq: '01A', chatId: 'x@s.whatsapp.net', payload: '{}', bulkJobId: null, attempts: 0, enqueuedAt: T0 }]);
        assert.equal(await storage.outbound.markAttempt('s1', 'm1', old.fence), true);

        const now = await storage.cluster.acquire('s1', 'n2', 'n2-i1', at(TTL + 1));
        assert.ok(now.acquired && now.fence.epoch === 2);
        const stale = old.fence;
        await assert.rejects(storage.authState.write('s1', [{ category: 'session', keyId: 'a', value: buf('STALE') }], stale), FencedWriteError);
        await assert.rejects(storage.authState.write('s1', [{ category: 'session', keyId: 'new', value: buf('STALE') }], stale), FencedWriteError);
        await assert.rejects(storage.authState.write('s1', [{ category: 'session', keyId: 'b', value: null }, { category: 'session', keyId: 'd', value: buf('STALE') }], stale), FencedWriteError);
        await assert.rejects(storage.authState.clear('s1', stale), FencedWriteError);
        await assert.rejects(storage.sessions.update('s1', { status: 'STOPPED' }, T0 + 1, stale), FencedWriteError);
        await assert.rejects(storage.outbound.markAttempt('s1', 'm1', stale), FencedWriteError);
        await assert.rejects(storage.outbound.remove('s1', 'm1', stale), FencedWriteError);
        await assert.rejects(
          storage.transaction(async (repos) => {
            await repos.events.append([{ id: '01JFENCED00000000000000000', type: 'message.sent', tenantId: 'acme', sessionId: 's1', timestamp: T0, payload: {} }]);
            await repos.outbound.remove('s1', 'm1', stale);
          }),
          FencedWriteError,
        );

        assert.deepEqual(
          (await storage.authState.dump('s1')).map((r) => [r.keyId, r.value.toString()]),
          [['a', 'v1'], ['b', 'b1'], ['c', 'c1']],
          'every stale write refused, nothing of them stored',
        );
        assert.equal((await storage.sessions.get('s1'))?.status, 'WORKING');
        assert.equal((await storage.outbound.next('s1'))?.attempts, 1);
        assert.deepEqual(await storage.events.list({ limit: 10 }), [], 'the transaction rolled back with the fenced write');
        // The current owner writes as usual; a queue row already gone is "false", not a fencing error.
        await storage.authState.write('s1', [{ category: 'session', keyId: 'a', value: buf('v2') }], now.fence);
        assert.equal(await storage.outbound.remove('s1', 'm1', now.fence), true);
        assert.equal(await storage.outbound.remove('s1', 'm1', now.fence), false);
        assert.equal(await storage.outbound.markAttempt('s1', 'm1', now.fence), false);
        assert.equal((await storage.sessions.update('missing', { status: 'STOPPED' }, T0, now.fence)), undefined);
      }));

    test('orphans: sessions that want to run without a live lease, oldest first, with their placement', () =>
      ctx.withStorage(async (storage) => {
        await seed(storage);
        await storage.sessions.create(session('s3', 'acme', { desiredState: 'running', createdAt: T0 + 3, placement: { tags: { region: 'eu' } } }));
        await storage.sessions.create(session('s4', 'acme', { desiredState: 'running', createdAt: T0 + 4 }));
        await storage.sessions.update('s1', { desiredState: 'running' }, T0);
        await storage.cluster.acquire('s4', 'n1', 'n1-i1', at(0));
        assert.deepEqual(await storage.cluster.orphans(10, at(1)), [
          { sessionId: 's1', tenantId: 'acme', placement: null },
          { sessionId: 's3', tenantId: 'acme', placement: { tags: { region: 'eu' } } },
        ]);
        assert.deepEqual((await storage.cluster.orphans(10, at(TTL))).map((o) => o.sessionId), ['s1', 's3', 's4'], 'an expired lease is an orphan again');
        assert.equal((await storage.cluster.orphans(1, at(1))).length, 1);
        // A session told to stop while this process runs it: found, so the owner stops it.
        assert.deepEqual(await storage.cluster.unwanted('n1-i1'), []);
        await storage.sessions.update('s4', { desiredState: 'stopped' }, T0);
        assert.deepEqual(await storage.cluster.unwanted('n1-i1'), ['s4']);
        assert.deepEqual(await storage.cluster.unwanted('n2-i1'), []);
      }));

    test('nodes: liveness on the injected clock, live lease counts, draining, left, url, stats series and pruning', () =>
      ctx.withStorage(async (storage) => {
        await seed(storage);
        await storage.cluster.registerNode(node('n1', { capacity: 10, weight: 2, tags: { region: 'eu', tier: 'a' } }));
        await storage.cluster.registerNode(node('n2'));
        await storage.cluster.acquire('s1', 'n1', 'n1-i1', at(0));
        await storage.cluster.assign('s2', 'n1', at(0));
        await storage.cluster.heartbeat('n1', 'n1-i1', EMPTY_NODE_STATS, at(10_000));
        assert.equal(await storage.cluster.setNodeState('n1', 'draining'), true);
        await storage.cluster.setNodeUrl('n2', 'http://10.0.0.2:3000');
        assert.deepEqual(await storage.cluster.ownerOf('s1', at(10_500)), { nodeId: 'n1', url: 'http://n1.test:3000' });
        assert.equal(await storage.cluster.ownerOf('s1', at(10_000 + TTL)), undefined, 'an expired lease names no owner');
        const nodes = await storage.cluster.listNodes(at(21_000));
        assert.deepEqual(nodes.map((n) => [n.id, n.state, n.sessions, n.capacity, n.weight]), [['n1', 'draining', 2, 10, 2], ['n2', 'dead', 0, null, 1]]);
        assert.deepEqual(nodes[0]?.tags, { region: 'eu', tier: 'a' });
        assert.equal(nodes[1]?.url, 'http://10.0.0.2:3000');
        await storage.cluster.setNodeState('n1', 'left');
        assert.equal((await storage.cluster.listNodes(at(21_000)))[0]?.state, 'dead');

        const sample = { ...EMPTY_NODE_STATS, cpuPercent: 12.5, sessions: 3 };
        await storage.cluster.appendStats('n1', T0, sample);
        await storage.cluster.appendStats('n1', T0 + 10_000, { ...sample, cpuPercent: 20 });
        await storage.cluster.appendStats('n2', T0 + 10_000, sample);
        const series = await storage.cluster.statsBetween('n1', T0, T0 + 10_000, 100);
        assert.deepEqual(series.map((s) => [s.at, s.cpuPercent, s.sessions]), [[T0, 12.5, 3], [T0 + 10_000, 20, 3]]);
        assert.equal(await storage.cluster.pruneStatsBefore(T0 + 1), 1);
        assert.equal(await storage.cluster.pruneNodesBefore(T0 + 1), 1, 'n2 has not beaten since T0');
        assert.ok(Math.abs((await storage.cluster.now()) - Date.now()) < 5_000, 'the database clock is a real clock');
      }));
  });
}
