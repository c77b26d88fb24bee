/**
 * LeaseOwnership against a real store (SQLite) with an injected monotonic clock: a node that stops
 * hearing back gives its sessions up before the TTL lets another take them; a heartbeat that was
 * sent before a lease was taken does not count it as lost; a lost lease reaches the listeners once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LeaseOwnership } from '../../src/cluster/lease-ownership.ts';
import { EMPTY_NODE_STATS } from '../../src/domain/cluster.ts';
import { createStorage } from '../../src/storage/create-storage.ts';
import { NO_PEERS } from '../../src/storage/shared/no-peers.ts';
import { OwnedElsewhereError } from '../../src/sessions/ownership.ts';

async function withStore(fn: (storage: Awaited<ReturnType<typeof createStorage>>) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wafleet-lease-'));
  const storage = await createStorage({ dataDir: dir });
  try {
    await storage.tenants.create({ id: 'acme', name: 'Acme', maxSessions: 5, createdAt: 0 });
    for (const id of ['s1', 's2']) {
      await storage.sessions.create({ id, tenantId: 'acme', engine: 'fake', status: 'STOPPED', statusReason: null, desiredState: 'running', config: {}, me: null, createdAt: 0, updatedAt: 0 });
    }
    for (const id of ['n1', 'n2']) {
      await storage.cluster.registerNode({ id, url: '', instance: `${id}-i`, state: 'active', version: '', startedAt: 0, heartbeatAt: Date.now(), capacity: null, weight: 1, tags: {}, stats: EMPTY_NODE_STATS });
    }
    await fn(storage);
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('self-fencing: no renewal for selfFenceMs by the monotonic clock → every session given up, once', () =>
  withStore(async (storage) => {
    let now = 1000;
    const ownership = new LeaseOwnership({ cluster: storage.cluster, bus: NO_PEERS, nodeId: 'n1', instance: 'n1-i', ttlMs: 15_000, selfFenceMs: 10_000, monotonic: () => now });
    const lost: string[] = [];
    ownership.onLost((sessionId, reason) => lost.push(`${sessionId}: ${reason}`));
    await ownership.acquire('s1');
    await ownership.acquire('s2');
    now += 9_000;
    assert.equal(ownership.checkSelfFence(), 0);
    const sentAt = ownership.beatStarted();
    ownership.renewed(await storage.cluster.heartbeat('n1', 'n1-i', EMPTY_NODE_STATS, { ttlMs: 15_000 }), sentAt);
    now += 9_000;
    assert.equal(ownership.checkSelfFence(), 0, 'renewed 9 s ago');
    now += 1_500;
    assert.equal(ownership.checkSelfFence(), 2);
    assert.equal(lost.length, 2);
    assert.match(lost[0]!, /no lease renewal for 10500 ms/);
    assert.equal(ownership.fence('s1'), undefined);
    assert.equal(ownership.checkSelfFence(), 0, 'told once');
  }));

test('a heartbeat sent before a lease was taken does not report it lost; a lease another node took is', () =>
  withStore(async (storage) => {
    let now = 0;
    const mine = new LeaseOwnership({ cluster: storage.cluster, bus: NO_PEERS, nodeId: 'n1', instance: 'n1-i', ttlMs: 15_000, selfFenceMs: 10_000, monotonic: () => now });
    const lost: string[] = [];
    mine.onLost((sessionId) => lost.push(sessionId));
    const sentAt = mine.beatStarted();
    const beat = await storage.cluster.heartbeat('n1', 'n1-i', EMPTY_NODE_STATS, { ttlMs: 15_000 });
    now += 1;
    await mine.acquire('s1');
    mine.renewed(beat, sentAt);
    assert.deepEqual(lost, [], 'the beat predates the acquire');
    // n2 takes s1 over (as after an expiry); the next beat of n1 finds it gone.
    await storage.cluster.release('s1', mine.fence('s1')!);
    const other = new LeaseOwnership({ cluster: storage.cluster, bus: NO_PEERS, nodeId: 'n2', instance: 'n2-i', ttlMs: 15_000, selfFenceMs: 10_000 });
    await other.acquire('s1');
    now += 1;
    const later = mine.beatStarted();
    mine.renewed(await storage.cluster.heartbeat('n1', 'n1-i', EMPTY_NODE_STATS, { ttlMs: 15_000 }), later);
    assert.deepEqual(lost, ['s1']);
    await assert.rejects(mine.acquire('s1'), (error: unknown) => error instanceof OwnedElsewhereError && error.lease.nodeId === 'n2');
    assert.equal(await other.confirm('s1'), true);
    assert.equal(await mine.confirm('s1'), false);
  }));
