/**
 * Session ownership port: a node may run a session only while it owns it (ARCHITECTURE.md §1.1).
 * Single-node mode always grants; the cluster adapter will hold leases with fencing tokens.
 */
export interface SessionOwnership {
  /** Resolves with a fencing token once this node owns the session; rejects when another node does. */
  acquire(sessionId: string): Promise<number>;
  release(sessionId: string): Promise<void>;
}

export class SingleNodeOwnership implements SessionOwnership {
  private readonly tokens = new Map<string, number>();

  async acquire(sessionId: string): Promise<number> {
    const token = (this.tokens.get(sessionId) ?? 0) + 1;
    this.tokens.set(sessionId, token);
    return token;
  }

  async release(sessionId: string): Promise<void> {
    this.tokens.delete(sessionId);
  }
}
