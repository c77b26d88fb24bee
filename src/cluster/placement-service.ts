/**
 * Placement of a session that no node runs yet (a start through the API): the policy picks an
 * active node with room that matches the session's constraints. Another node gets the lease
 * assigned and starts the session itself (told at once by a lease message, or by its next heartbeat).
 */
import type { SessionRecord } from '../domain/records.ts';
import { EMPTY_NODE_STATS, type NodeView } from '../domain/cluster.ts';
import { place, type PlacementPolicy } from '../domain/placement.ts';
import { AppError } from '../errors/app-error.ts';
import type { SessionPlacement } from '../sessions/ownership.ts';
import type { ClusterBus, ClusterRepository } from '../storage/cluster-ports.ts';

export class PlacementService implements SessionPlacement {
  private turn = 0;

  constructor(
    private readonly deps: {
      cluster: ClusterRepository;
      bus: ClusterBus;
      nodeId: string;
      policy: PlacementPolicy;
      ttlMs: number;
      /** This process as a node, for when it has not joined (beaten) yet: it is plainly alive. */
      self(): Omit<NodeView, 'state' | 'sessions' | 'heartbeatAt' | 'startedAt' | 'url' | 'version' | 'stats'> & { sessions: number };
    },
  ) {}

  async placeForStart(record: Pick<SessionRecord, 'id' | 'placement'>): Promise<{ node: string }> {
    const { cluster, nodeId, ttlMs } = this.deps;
    const nodes = withSelf(await cluster.listNodes({ ttlMs }), nodeId, this.deps.self);
    const picked = place(this.deps.policy, nodes, record.placement, this.turn++);
    if (!picked.node) {
      throw new AppError('NO_NODE_AVAILABLE', `No node can run session "${record.id}" now: ${picked.missing}. It stays stored, marked to run, and starts once a node fits.`);
    }
    if (picked.node.id === nodeId) return { node: nodeId };
    if ((await cluster.assign(record.id, picked.node.id, { ttlMs })) === undefined) {
      // Another node took it meanwhile (a concurrent start, an adoption): that one runs it.
      return { node: (await cluster.ownerOf(record.id, { ttlMs }))?.nodeId ?? picked.node.id };
    }
    await this.deps.bus.notify({ kind: 'lease', sessionId: record.id, nodeId: picked.node.id });
    return { node: picked.node.id };
  }
}

/** The nodes as stored, with this process counted as active when it has not joined or beaten yet. */
function withSelf(nodes: NodeView[], nodeId: string, self: () => Omit<NodeView, 'state' | 'sessions' | 'heartbeatAt' | 'startedAt' | 'url' | 'version' | 'stats'> & { sessions: number }): NodeView[] {
  const stored = nodes.find((n) => n.id === nodeId);
  if (stored && stored.state !== 'dead') return nodes;
  const me: NodeView = { ...self(), state: 'active', left: false, heartbeatAt: Date.now(), startedAt: Date.now(), url: '', version: '', stats: EMPTY_NODE_STATS };
  return [...nodes.filter((n) => n.id !== nodeId), me];
}
