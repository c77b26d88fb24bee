/** Cluster records and rules (ARCHITECTURE.md §8): nodes, leases, fencing tokens, placement constraints. */

export const NODE_STATES = ['active', 'draining', 'dead'] as const;
/** `dead`: its heartbeat is older than the lease TTL, or it left. */
export type NodeState = (typeof NODE_STATES)[number];
/** As stored: `left` when it shut down cleanly, `dead` once another node found its heartbeat expired. */
export type StoredNodeState = 'active' | 'draining' | 'left' | 'dead';

/** Live figures a node reports with its heartbeat and samples every stats interval. */
export interface NodeStats {
  cpuPercent: number;
  rssBytes: number;
  eventLoopLagMs: number;
  messagesInPerMin: number;
  messagesOutPerMin: number;
  apiP95Ms: number | null;
  apiP99Ms: number | null;
  /** Share of API answers that were 5xx in the last interval (0..1). */
  errorRate: number;
}

export const EMPTY_NODE_STATS: NodeStats = {
  cpuPercent: 0, rssBytes: 0, eventLoopLagMs: 0, messagesInPerMin: 0, messagesOutPerMin: 0, apiP95Ms: null, apiP99Ms: null, errorRate: 0,
};

export interface NodeRecord {
  id: string;
  url: string;
  /** The process holding the node id (a restart has a new one). */
  instance: string;
  state: StoredNodeState;
  version: string;
  startedAt: number;
  heartbeatAt: number;
  /** Most sessions it takes; null = no limit. */
  capacity: number | null;
  weight: number;
  tags: Record<string, string>;
  stats: NodeStats;
}

/** A node as the cluster sees it now: liveness judged on the database clock, with its live lease count. */
export interface NodeView extends Omit<NodeRecord, 'state' | 'instance'> {
  state: NodeState;
  sessions: number;
  /** A dead node that shut down cleanly (SIGTERM, a rolling upgrade) rather than died. */
  left: boolean;
}

/** Where a session may run: one named node, and/or nodes carrying all these tags. */
export interface PlacementConstraints {
  node?: string;
  tags?: Record<string, string>;
}

/**
 * A fencing token: the lease epoch this process got when it took the session, and the process.
 * Every write the owner makes for the session carries it; a write with a stale one is refused.
 */
export interface Fence {
  holder: string;
  epoch: number;
}

/** The lease row of a session as the cluster sees it now. */
export interface LeaseView {
  sessionId: string;
  nodeId: string | null;
  holder: string | null;
  epoch: number;
  expiresAt: number;
  /** expiresAt is still in the future on the database clock. */
  live: boolean;
}

export function parseTags(text: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const pair of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`"${pair}" is not key=value`);
    tags[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return tags;
}
