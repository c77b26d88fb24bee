/**
 * Placement policies: which active node with room, matching a session's constraints, takes a session.
 * Pure: the caller passes the nodes as the cluster sees them and gets a node or the reasons none fits.
 */
import type { NodeView, PlacementConstraints } from './cluster.ts';

export const PLACEMENT_POLICIES = ['least-sessions', 'round-robin', 'weighted'] as const;
export type PlacementPolicy = (typeof PLACEMENT_POLICIES)[number];

export type PlacementResult = { node: NodeView } | { node: undefined; missing: string };

/** Nodes that may take one more session with these constraints, or why none can. */
export function eligibleNodes(nodes: readonly NodeView[], constraints: PlacementConstraints | null | undefined, exclude: ReadonlySet<string> = new Set()): { nodes: NodeView[]; missing: string } {
  const active = nodes.filter((n) => n.state === 'active' && !exclude.has(n.id));
  if (active.length === 0) return { nodes: [], missing: 'no active node (every node is draining, dead or excluded)' };
  let candidates = active;
  if (constraints?.node) {
    candidates = candidates.filter((n) => n.id === constraints.node);
    if (candidates.length === 0) return { nodes: [], missing: `node "${constraints.node}" is not active` };
  }
  const tags = Object.entries(constraints?.tags ?? {});
  if (tags.length > 0) {
    candidates = candidates.filter((n) => tags.every(([key, value]) => n.tags[key] === value));
    if (candidates.length === 0) return { nodes: [], missing: `no active node has the tags ${tags.map(([k, v]) => `${k}=${v}`).join(', ')}` };
  }
  const withRoom = candidates.filter((n) => n.capacity === null || n.sessions < n.capacity);
  if (withRoom.length === 0) return { nodes: [], missing: `every matching node is at capacity (${candidates.map((n) => `${n.id} ${n.sessions}/${n.capacity}`).join(', ')})` };
  return { nodes: withRoom, missing: '' };
}

/**
 * Picks a node. `turn` feeds round-robin (the caller counts its placements); ties go to the lowest id,
 * so two nodes placing from the same view agree.
 */
export function place(policy: PlacementPolicy, nodes: readonly NodeView[], constraints?: PlacementConstraints | null, turn = 0, exclude?: ReadonlySet<string>): PlacementResult {
  const { nodes: eligible, missing } = eligibleNodes(nodes, constraints, exclude);
  if (eligible.length === 0) return { node: undefined, missing };
  const byId = [...eligible].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (policy === 'round-robin') return { node: byId[turn % byId.length]! };
  const load = policy === 'weighted' ? (n: NodeView) => (n.sessions + 1) / Math.max(n.weight, 1e-9) : (n: NodeView) => n.sessions;
  let best = byId[0]!;
  for (const node of byId) if (load(node) < load(best)) best = node;
  return { node: best };
}

/** The view after one more session went to `nodeId` (so a batch of placements spreads). */
export function withOneMore(nodes: readonly NodeView[], nodeId: string): NodeView[] {
  return nodes.map((n) => (n.id === nodeId ? { ...n, sessions: n.sessions + 1 } : n));
}
