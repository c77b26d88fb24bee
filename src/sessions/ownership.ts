/**
 * Session ownership port: a node may run a session only while it owns it (ARCHITECTURE.md §1.1).
 * The adapter (src/cluster/lease-ownership.ts) holds a lease per session with a fencing token; a
 * single node is the same code with one node.
 */
import type { Fence, LeaseView } from '../domain/cluster.ts';
import type { SessionRecord } from '../domain/records.ts';

/** Another live node holds the session. */
export class OwnedElsewhereError extends Error {
  constructor(readonly lease: LeaseView) {
    super(`session "${lease.sessionId}" is owned by node "${lease.nodeId ?? '?'}"`);
    this.name = 'OwnedElsewhereError';
  }
}

export interface SessionOwnership {
  readonly nodeId: string;
  /** Resolves with a fencing token once this process owns the session; OwnedElsewhereError when another node does. */
  acquire(sessionId: string): Promise<Fence>;
  /** Gives the session up (stop, logout, delete), or its assignment to this node when not started. */
  release(sessionId: string): Promise<void>;
  /** The token of a session this process owns now (in memory), else undefined. */
  fence(sessionId: string): Fence | undefined;
  /** Reads the lease again: is it still this process's, at the token it holds? */
  confirm(sessionId: string): Promise<boolean>;
  /** A write was refused as stale: counted, then as lost(). */
  fenced(sessionId: string): void;
  /** The session is another process's now: forget it; the lost-listeners close its connection. */
  lost(sessionId: string, reason: string): void;
  /** Called for each session whose lease this process lost (taken over, or not renewed in time). */
  onLost(listener: (sessionId: string, reason: string) => void): void;
}

/** Where a session that no node runs starts: the node the placement policy picks (NO_NODE_AVAILABLE when none fits). */
export interface SessionPlacement {
  placeForStart(record: Pick<SessionRecord, 'id' | 'placement'>): Promise<{ node: string }>;
}
