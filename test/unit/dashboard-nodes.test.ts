/** The dashboard's Nodes page rows, from the GET /v1/nodes shape the cluster will serve (fixture). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { nodeRows } from '../../dashboard/src/pages/nodes-view.ts';
import type { ClusterNode } from '../../dashboard/src/api/types.ts';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/nodes.json', import.meta.url), 'utf8')) as { items: ClusterNode[] };
const NOW = 1_764_867_600_000;

test('nodes are listed active first, then draining, dead last, with load, CPU, memory and latency', () => {
  const rows = nodeRows(fixture.items, NOW);
  assert.deepEqual(rows.map((r) => [r.id, r.state]), [['node-a', 'active'], ['node-b', 'draining'], ['node-c', 'dead']]);
  const a = rows[0]!;
  assert.equal(a.load, '250 / 500 sessions (50%), weight 2');
  assert.equal(a.cpu, '63%');
  assert.equal(a.memory, '1024 MiB');
  assert.equal(a.latency, 'p95 18 ms · p99 45 ms · lag 7 ms');
  assert.equal(a.tags, 'region=eu, tier=gold');
  assert.equal(a.heartbeat, '20 s ago');
});

test('a live node whose heartbeat is late is flagged; a dead one is not "late", it is dead', () => {
  const rows = nodeRows(fixture.items, NOW);
  assert.equal(rows.find((r) => r.id === 'node-a')!.stale, true, '20 s without a heartbeat');
  assert.equal(rows.find((r) => r.id === 'node-b')!.stale, false, '2 s');
  assert.equal(rows.find((r) => r.id === 'node-c')!.stale, false);
  assert.equal(rows.find((r) => r.id === 'node-c')!.heartbeat, '127 min ago');
});

test('a node without a capacity limit or latency figures yet says so instead of printing null', () => {
  const [node] = nodeRows([{ ...fixture.items[2]!, capacity: null, stats: { ...fixture.items[2]!.stats, apiP95Ms: null, apiP99Ms: null } }], NOW);
  assert.equal(node!.load, '250 sessions (no limit), weight 2');
  assert.equal(node!.latency, 'p95 – · p99 – · lag 7 ms');
});
