/**
 * Storage port of the cluster: nodes and their heartbeat, session leases with fencing tokens, node
 * stats. Times are on the database clock unless a method takes `at` (tests inject a clock that way;
 * production passes nothing). Kept apart from ports.ts so the lease contract reads in one place.
 */
import type { Fence, LeaseView, NodeRecord, NodeStats, NodeView, PlacementConstraints, StoredNodeState } from '../domain/cluster.ts';

export interface LeaseTiming {
  ttlMs: number;
  /** Injected database time (tests); the database clock when undefined. */
  at?: number | undefined;
}

/** What one heartbeat learned: the node's stored state and instance, and the leases it still holds. */
export interface Heartbeat {
  /** undefined when the node row is gone. */
  node: { state: StoredNodeState; instance: string } | undefined;
  /** Leases of this node renewed by the beat: started ones (holder = this process) and assigned ones (holder null). */
  leases: Array<{ sessionId: string; epoch: number; holder: string | null }>;
  /** The database clock when it ran. */
  now: number;
}

export type AcquireResult = { acquired: true; fence: Fence } | { acquired: false; lease: LeaseView };

export interface OrphanSession {
  sessionId: string;
  tenantId: string;
  placement: PlacementConstraints | null;
}

export interface ClusterRepository {
  /** Database clock, epoch ms. */
  now(): Promise<number>;

  /** Inserts or replaces this node's row (a restart of the same id takes it over). */
  registerNode(node: NodeRecord): Promise<void>;
  getNode(id: string): Promise<NodeRecord | undefined>;
  /** Every node with liveness (heartbeat within `ttlMs`) and its count of live leases. */
  listNodes(timing: LeaseTiming): Promise<NodeView[]>;
  setNodeState(id: string, state: StoredNodeState): Promise<boolean>;
  /** Marks a node whose heartbeat is older than the TTL as dead; true for the one caller that did it. */
  markDead(id: string, timing: LeaseTiming): Promise<boolean>;
  setNodeUrl(id: string, url: string): Promise<void>;

  /**
   * One round of upkeep for a node, a constant number of statements whatever its session count:
   * stamps its heartbeat (and stats) when `instance` still holds the node id, and extends every
   * unexpired lease of the node that this process holds or that is assigned to the node.
   */
  heartbeat(nodeId: string, instance: string, stats: NodeStats, timing: LeaseTiming): Promise<Heartbeat>;

  /**
   * Takes the lease for `fence.holder` of `nodeId`: when nobody holds it, it expired, or it is this
   * node's already (assigned, or held by an earlier process of it). The epoch grows by one.
   */
  acquire(sessionId: string, nodeId: string, holder: string, timing: LeaseTiming): Promise<AcquireResult>;
  /** Assigns a free or expired lease to a node (placement, adoption): epoch + 1, holder null. */
  assign(sessionId: string, nodeId: string, timing: LeaseTiming): Promise<number | undefined>;
  /** Hands a lease this process holds at `fence` to another node (drain, move): epoch + 1, holder null. */
  handOver(sessionId: string, fence: Fence, toNode: string, timing: LeaseTiming): Promise<number | undefined>;
  /** Gives up a lease this process holds at `fence`; the epoch stays. False when it was not held so. */
  release(sessionId: string, fence: Fence): Promise<boolean>;
  /** Frees a lease assigned to the node and not started yet (holder null). */
  unassign(sessionId: string, nodeId: string): Promise<boolean>;
  /** Gives up every lease of this process and the node's unstarted assignments (clean shutdown); returns how many. */
  releaseAll(nodeId: string, holder: string): Promise<number>;
  /**
   * A restarted node takes back what earlier processes of it held: their leases become assignments
   * of the node (holder null), to be started again. Only once those processes are known to be gone.
   */
  reclaimNodeLeases(nodeId: string, instance: string): Promise<number>;
  get(sessionId: string, timing: LeaseTiming): Promise<LeaseView | undefined>;
  /** The node a live lease names and where to reach it; undefined when no node holds the session now. */
  ownerOf(sessionId: string, timing: LeaseTiming): Promise<{ nodeId: string; url: string } | undefined>;
  /** Whether `fence` is the session's current lease (the 440 check, before trusting a write). */
  holds(sessionId: string, fence: Fence): Promise<boolean>;
  /** Sessions this process holds a lease for that should not run any more (desired state stopped). */
  unwanted(holder: string): Promise<string[]>;
  /** Sessions that want to run and have no live lease, oldest first. */
  orphans(limit: number, timing: LeaseTiming): Promise<OrphanSession[]>;

  appendStats(nodeId: string, at: number, stats: NodeStats & { sessions: number }): Promise<void>;
  statsBetween(nodeId: string, from: number, to: number, limit: number): Promise<Array<NodeStats & { at: number; sessions: number }>>;
  pruneStatsBefore(timestamp: number): Promise<number>;
  /** Removes nodes that left or died before the timestamp (their rows only). */
  pruneNodesBefore(timestamp: number): Promise<number>;
}

/** What nodes tell each other, after the change is committed. */
export type ClusterMessage =
  /** A lease changed hands (assigned, handed over, released): forget cached owners; `nodeId` may start it. */
  | { kind: 'lease'; sessionId: string; nodeId: string | null }
  /** Events a node committed and published (the others push them to their WebSocket clients). */
  | { kind: 'events'; from: string; ids: string[] }
  /** A node's state changed (drain, activate): it beats at once to learn it. */
  | { kind: 'node'; nodeId: string }
  /** A send was queued on a node that does not run the session: its owner works the queue now. */
  | { kind: 'kick'; sessionId: string };

/**
 * Best-effort notifications between nodes (PostgreSQL LISTEN/NOTIFY on a direct connection). Nothing
 * depends on them for correctness: heartbeats, cache expiry and the event log cover a lost one; they
 * only make a change seen in milliseconds instead of seconds. A single-process store has no peers.
 */
export interface ClusterBus {
  readonly enabled: boolean;
  /** Listening right now (messages from the others arrive). */
  readonly listening: boolean;
  notify(message: ClusterMessage): Promise<void>;
  /** Starts listening (reconnecting on failure); `onMessage` hears the other nodes' messages. */
  listen(onMessage: (message: ClusterMessage) => void): Promise<void>;
  close(): Promise<void>;
}
