import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EMPTY_NODE_STATS, type NodeView } from '../../src/domain/cluster.ts';
import { place, withOneMore } from '../../src/domain/placement.ts';

function node(id: string, overrides: Partial<NodeView> = {}): NodeView {
  return { id, url: '', version: '', startedAt: 0, heartbeatAt: 0, capacity: null, weight: 1, tags: {}, stats: EMPTY_NODE_STATS, state: 'active', sessions: 0, left: false, ...overrides } as NodeView;
}

function spread(policy: 'least-sessions' | 'round-robin' | 'weighted', nodes: NodeView[], count: number): Record<string, number> {
  let view = nodes;
  const placed: Record<string, number> = {};
  for (let i = 0; i < count; i++) {
    const picked = place(policy, view, null, i);
    assert.ok(picked.node, 'placed');
    placed[picked.node.id] = (placed[picked.node.id] ?? 0) + 1;
    view = withOneMore(view, picked.node.id);
  }
  return placed;
}

test('weighted placement follows the weights; least-sessions fills the emptiest; round-robin takes turns', () => {
  assert.deepEqual(spread('weighted', [node('a'), node('b'), node('c', { weight: 2 })], 40), { a: 10, b: 10, c: 20 });
  assert.deepEqual(spread('least-sessions', [node('a', { sessions: 5 }), node('b'), node('c', { sessions: 2 })], 7), { b: 5, c: 2 });
  assert.deepEqual(spread('round-robin', [node('a', { sessions: 9 }), node('b'), node('c')], 6), { a: 2, b: 2, c: 2 });
});

test('only active nodes with room that match the constraints; otherwise the reason', () => {
  const nodes = [node('a', { state: 'draining' }), node('b', { state: 'dead' }), node('c', { capacity: 1, sessions: 1, tags: { region: 'eu' } }), node('d', { tags: { region: 'us' } })];
  assert.equal(place('least-sessions', nodes).node?.id, 'd');
  assert.equal(place('least-sessions', nodes, { tags: { region: 'us' } }).node?.id, 'd');
  const full = place('least-sessions', nodes, { tags: { region: 'eu' } });
  assert.equal(full.node, undefined);
  assert.match(!full.node ? full.missing : '', /capacity \(c 1\/1\)/);
  const named = place('least-sessions', nodes, { node: 'a' });
  assert.match(!named.node ? named.missing : '', /node "a" is not active/);
  const tags = place('least-sessions', nodes, { tags: { region: 'mars' } });
  assert.match(!tags.node ? tags.missing : '', /region=mars/);
  assert.match((place('least-sessions', [node('x')], null, 0, new Set(['x'])) as { missing: string }).missing, /no active node/);
});
