/**
 * SessionOwnership over the lease store: one lease row per session, taken with a conditional write
 * that bumps its epoch (the fencing token every owner write carries), renewed for the whole node in
 * one heartbeat statement (node-agent.ts), and given up when the node stops hearing back: a node
 * that has not renewed for selfFenceMs by its own monotonic clock gives up every session itself,
 * before the TTL lets another node take them (ARCHITECTURE.md §8).
 */
import type { Fence } from '../domain/cluster.ts';
import type { ClusterBus, Heartbeat, ClusterRepository } from '../storage/cluster-ports.ts';
import { OwnedElsewhereError, type SessionOwnership } from '../sessions/ownership.ts';

export interface LeaseOwnershipDeps {
  cluster: ClusterRepository;
  /** Tells the other nodes when a lease changes hands (their cached owners). */
  bus: ClusterBus;
  nodeId: string;
  /** This process (a restart is a new one). */
  instance: string;
  ttlMs: number;
  selfFenceMs: number;
  /** Monotonic milliseconds (performance.now); injectable for tests. */
  monotonic?: () => number;
  onFencedWrite?: () => void;
}

export class LeaseOwnership implements SessionOwnership {
  readonly nodeId: string;
  private readonly owned = new Map<string, Fence>();
  /** When each owned lease was asked for: a heartbeat sent before that cannot have renewed it. */
  private readonly acquiredAt = new Map<string, number>();
  private readonly listeners: Array<(sessionId: string, reason: string) => void> = [];
  private readonly monotonic: () => number;
  /** When the last heartbeat that succeeded was sent (renewals count from the moment they were asked for). */
  private renewedAt: number;

  constructor(private readonly deps: LeaseOwnershipDeps) {
    this.nodeId = deps.nodeId;
    this.monotonic = deps.monotonic ?? (() => performance.now());
    this.renewedAt = this.monotonic();
  }

  get instance(): string {
    return this.deps.instance;
  }

  async acquire(sessionId: string): Promise<Fence> {
    const startedAt = this.monotonic();
    const result = await this.deps.cluster.acquire(sessionId, this.nodeId, this.deps.instance, { ttlMs: this.deps.ttlMs });
    if (!result.acquired) throw new OwnedElsewhereError(result.lease);
    this.owned.set(sessionId, result.fence);
    this.acquiredAt.set(sessionId, startedAt);
    this.announce(sessionId, this.nodeId);
    // A fresh lease counts as renewed when it was asked for, not when the answer came.
    if (this.owned.size === 1) this.renewedAt = Math.max(this.renewedAt, startedAt);
    return result.fence;
  }

  async release(sessionId: string): Promise<void> {
    const fence = this.owned.get(sessionId);
    this.forget(sessionId);
    const released = fence ? await this.deps.cluster.release(sessionId, fence) : await this.deps.cluster.unassign(sessionId, this.nodeId);
    if (released) this.announce(sessionId, null);
  }

  /** Gives the lease to another node (epoch + 1, to be started there). False when it was not ours any more. */
  async handOver(sessionId: string, toNode: string): Promise<boolean> {
    const fence = this.owned.get(sessionId);
    this.forget(sessionId);
    if (!fence) return false;
    const moved = (await this.deps.cluster.handOver(sessionId, fence, toNode, { ttlMs: this.deps.ttlMs })) !== undefined;
    if (moved) this.announce(sessionId, toNode);
    return moved;
  }

  fence(sessionId: string): Fence | undefined {
    return this.owned.get(sessionId);
  }

  owns(): ReadonlyMap<string, Fence> {
    return this.owned;
  }

  async confirm(sessionId: string): Promise<boolean> {
    const fence = this.owned.get(sessionId);
    return fence !== undefined && (await this.deps.cluster.holds(sessionId, fence));
  }

  fenced(sessionId: string): void {
    this.deps.onFencedWrite?.();
    this.lost(sessionId, 'a write was refused: another node holds the session now');
  }

  lost(sessionId: string, reason: string): void {
    this.lose(sessionId, reason);
  }

  onLost(listener: (sessionId: string, reason: string) => void): void {
    this.listeners.push(listener);
  }

  /** The time a heartbeat is sent: its renewals count from here if it succeeds. */
  beatStarted(): number {
    return this.monotonic();
  }

  /** A heartbeat answered: leases this process holds that it did not renew are lost. */
  renewed(beat: Heartbeat, sentAt: number): void {
    const held = new Map(beat.leases.filter((l) => l.holder === this.deps.instance).map((l) => [l.sessionId, l.epoch]));
    for (const [sessionId, fence] of [...this.owned]) {
      // Taken after this beat was sent: the beat saw the lease as it was before.
      if ((this.acquiredAt.get(sessionId) ?? 0) >= sentAt) continue;
      if (held.get(sessionId) !== fence.epoch) this.lose(sessionId, 'the lease was not renewed: it expired or another node took it');
    }
    this.renewedAt = Math.max(this.renewedAt, sentAt);
  }

  /** Gives up every session when renewals have failed for selfFenceMs; returns how many. */
  checkSelfFence(): number {
    if (this.owned.size === 0) {
      this.renewedAt = this.monotonic();
      return 0;
    }
    const silentMs = this.monotonic() - this.renewedAt;
    if (silentMs <= this.deps.selfFenceMs) return 0;
    const count = this.owned.size;
    for (const sessionId of [...this.owned.keys()]) this.lose(sessionId, `no lease renewal for ${Math.round(silentMs)} ms: closing before another node may take it`);
    return count;
  }

  /** Clean shutdown of a node whose sessions are not handed over: every lease freed at once. */
  async releaseAll(): Promise<number> {
    this.owned.clear();
    this.acquiredAt.clear();
    return this.deps.cluster.releaseAll(this.nodeId, this.deps.instance);
  }

  private announce(sessionId: string, nodeId: string | null): void {
    this.deps.bus.notify({ kind: 'lease', sessionId, nodeId }).catch(() => undefined);
  }

  private forget(sessionId: string): boolean {
    this.acquiredAt.delete(sessionId);
    return this.owned.delete(sessionId);
  }

  private lose(sessionId: string, reason: string): void {
    if (!this.forget(sessionId)) return;
    for (const listener of this.listeners) listener(sessionId, reason);
  }
}
