/**
 * This node's part in the cluster: registers it, beats its heartbeat (which renews every lease it
 * holds in one statement), gives its sessions up when renewals stop (self-fencing), starts the
 * sessions placed on it at a bounded rate, places orphaned sessions (adoption after a node died),
 * drains it on request, and on SIGTERM hands its sessions to the other nodes.
 * Single-node mode is the same code with one node.
 */
import type { ClusterConfig } from '../config/config.ts';
import type { NodeView } from '../domain/cluster.ts';
import type { EventRecord } from '../domain/records.ts';
import { place, withOneMore } from '../domain/placement.ts';
import { AppError } from '../errors/app-error.ts';
import type { Logger } from '../logging/logger.ts';
import type { SessionManager } from '../sessions/session-manager.ts';
import type { Storage } from '../storage/ports.ts';
import type { LeaseOwnership } from './lease-ownership.ts';
import type { NodeStatsSampler } from './node-stats.ts';
import { SessionStarter } from './session-starter.ts';
import { registerNode } from './node-registration.ts';
import { runLimited } from './run-limited.ts';

/** Orphans placed per adoption round (each is one conditional statement). */
const ADOPT_BATCH = 500;
/** Adoption rounds with no orphan between two looks at the node list (dead-node detection). */
const IDLE_ROUNDS_PER_NODE_CHECK = 5;
const PRUNE_EVERY_MS = 3_600_000;
/** Heartbeats between two looks for sessions that should stop (one statement). */
const BEATS_PER_DESIRED_CHECK = 5;
/** Hand-overs wait this long for the send under way to settle before the connection closes. */
const QUIESCE_MS = 5_000;

export interface NodeAgentDeps {
  storage: Storage;
  ownership: LeaseOwnership;
  manager: SessionManager;
  config: ClusterConfig;
  resume: { concurrency: number; staggerMs: number };
  version: string;
  logger: Logger;
  stats: NodeStatsSampler;
  /** Writes events (node and session.moved) to the outbox and publishes them. */
  record(events: EventRecord[]): Promise<void>;
  newId(): string;
  /** Lets the outbound worker finish the session's send under way before a hand-over. */
  quiesce(sessionId: string, timeoutMs: number): Promise<void>;
  /** SQLite: the data-dir lock already proves no other process holds this node id. */
  singleProcess: boolean;
  onMoved?(): void;
}

export class NodeAgent {
  readonly starter: SessionStarter;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly knownDead = new Set<string>();
  private url: string;
  private turn = 0;
  private idleRounds = 0;
  private beats = 0;
  private prunedAt = 0;
  private draining: Promise<void> | undefined;
  private stopping = false;
  private beating: Promise<void> | undefined;
  private adopting: Promise<void> | undefined;

  constructor(private readonly deps: NodeAgentDeps) {
    this.url = deps.config.nodeUrl ?? '';
    this.starter = new SessionStarter({
      concurrency: deps.resume.concurrency,
      staggerMs: deps.resume.staggerMs,
      start: (sessionId) => deps.manager.resume(sessionId),
      onError: (sessionId, error) => deps.logger.error({ sessionId, err: error }, 'could not start a session placed on this node'),
    });
  }

  get nodeId(): string {
    return this.deps.config.nodeId;
  }

  /** Joins the cluster and queues the sessions it should run; resolves with how many. */
  async start(): Promise<number> {
    const { storage, config, ownership } = this.deps;
    await registerNode({ cluster: storage.cluster, node: this.describe(), ttlMs: config.leaseTtlMs, renewMs: config.renewMs, singleProcess: this.deps.singleProcess, logger: this.deps.logger });
    // Earlier processes of this node are gone (registration made sure): what they held starts again here.
    await storage.cluster.reclaimNodeLeases(this.nodeId, ownership.instance);
    await this.record('node.up', { node: this.nodeId, url: this.url });
    await this.beat();
    await this.adopt();
    const queued = this.starter.size;
    this.every(config.renewMs, () => this.beat());
    this.every(Math.min(1000, config.renewMs), () => this.checkSelfFence());
    this.every(config.renewMs, () => this.adopt(), config.renewMs / 2);
    this.every(config.statsIntervalMs, () => this.sampleStats());
    return queued;
  }

  /** A lease message says a session was placed or handed to this node: start it without waiting for the next beat. */
  placedHere(sessionId: string): void {
    if (this.stopping || this.draining || this.deps.manager.runtime(sessionId)) return;
    this.starter.enqueue(sessionId);
  }

  /** This node's stored state changed (drain, activate): beat now to learn it. */
  beatNow(): void {
    if (!this.stopping) void this.beat().catch((error: unknown) => this.deps.logger.warn({ err: error }, 'heartbeat failed'));
  }

  /** The address other nodes forward to, once the server listens. */
  async setUrl(url: string): Promise<void> {
    if (this.deps.config.nodeUrl || url === this.url) return;
    this.url = url;
    await this.deps.storage.cluster.setNodeUrl(this.nodeId, url);
  }

  async nodes(): Promise<NodeView[]> {
    return this.deps.storage.cluster.listNodes({ ttlMs: this.deps.config.leaseTtlMs });
  }

  /** Moves one session running here to `toNode`, or to the node placement picks. */
  async move(sessionId: string, toNode?: string): Promise<{ from: string; to: string }> {
    const record = await this.deps.storage.sessions.get(sessionId);
    if (!record) throw new AppError('SESSION_NOT_FOUND', `Session "${sessionId}" not found.`);
    const nodes = await this.nodes();
    if (toNode !== undefined && !nodes.some((n) => n.id === toNode)) throw new AppError('NODE_NOT_FOUND', `Node "${toNode}" not found.`);
    const picked = place(this.deps.config.placement, nodes, toNode ? { ...record.placement, node: toNode } : record.placement, this.turn++, new Set([this.nodeId]));
    if (!picked.node) throw new AppError('NO_NODE_AVAILABLE', `No node can take session "${sessionId}": ${picked.missing}.`);
    if (!(await this.handOver(sessionId, picked.node.id, record.tenantId))) {
      throw new AppError('SESSION_NOT_RUNNING', `Session "${sessionId}" is not running on this node.`);
    }
    return { from: this.nodeId, to: picked.node.id };
  }

  /**
   * Stops the timers; in a cluster with other active nodes (`handOver`) first hands every session to
   * them (rolling upgrades); otherwise sessions stop and resume on the next start, as a single node.
   */
  async close(options: { handOver: boolean; graceMs?: number }): Promise<void> {
    this.stopping = true;
    for (const timer of this.timers) clearInterval(timer);
    await Promise.allSettled([this.beating, this.adopting]);
    this.starter.close();
    const { storage } = this.deps;
    try {
      if (options.handOver && (await this.nodes()).some((n) => n.id !== this.nodeId && n.state === 'active')) {
        await storage.cluster.setNodeState(this.nodeId, 'draining');
        const deadline = Date.now() + (options.graceMs ?? 60_000);
        while (this.deps.manager.localSessions().length > 0 && Date.now() < deadline) {
          if ((await this.drainRound()) === 0) break;
        }
      }
      await this.deps.manager.shutdown();
      await this.deps.ownership.releaseAll();
      await storage.cluster.setNodeState(this.nodeId, 'left');
      await this.record('node.down', { node: this.nodeId, reason: 'left' });
    } finally {
      this.deps.stats.close();
    }
  }

  private describe() {
    const { config, ownership } = this.deps;
    const now = Date.now();
    return {
      id: this.nodeId, url: this.url, instance: ownership.instance, state: 'active' as const, version: this.deps.version,
      startedAt: now, heartbeatAt: now, capacity: config.capacity, weight: config.weight, tags: config.tags, stats: this.deps.stats.current(),
    };
  }

  private every(ms: number, work: () => Promise<unknown> | void, offsetMs = 0): void {
    const run = () => {
      if (this.stopping) return;
      Promise.resolve(work()).catch((error: unknown) => this.deps.logger.warn({ err: error }, 'cluster upkeep failed; retrying next round'));
    };
    const start = () => {
      const timer = setInterval(run, ms);
      timer.unref();
      this.timers.push(timer);
    };
    if (offsetMs > 0) {
      const delay = setTimeout(start, offsetMs);
      delay.unref();
    } else start();
  }

  /** One heartbeat: renews this node's leases, learns its state and what was placed on it. */
  private beat(): Promise<void> {
    this.beating ??= this.beatOnce().finally(() => (this.beating = undefined));
    return this.beating;
  }

  private async beatOnce(): Promise<void> {
    const { storage, ownership, config, manager } = this.deps;
    const sentAt = ownership.beatStarted();
    const beat = await storage.cluster.heartbeat(this.nodeId, ownership.instance, this.deps.stats.current(), { ttlMs: config.leaseTtlMs });
    if (this.stopping) return;
    if (!beat.node || beat.node.instance !== ownership.instance) {
      this.deps.logger.error({ node: this.nodeId }, 'another process registered this node id: giving up every session here');
      ownership.renewed({ ...beat, leases: [] }, sentAt);
      return;
    }
    ownership.renewed(beat, sentAt);
    if (beat.node.state === 'dead' || beat.node.state === 'left') {
      // Declared dead while it could not beat (paused, cut off): it is a new member again.
      await storage.cluster.setNodeState(this.nodeId, 'active');
      await this.record('node.up', { node: this.nodeId, url: this.url, rejoined: true });
    }
    if (beat.node.state === 'draining') {
      this.startDrain();
      // Placed here but not started: back to the pool, for an active node to take.
      for (const lease of beat.leases) if (lease.holder === null) await storage.cluster.unassign(lease.sessionId, this.nodeId);
      return;
    }
    for (const lease of beat.leases) {
      if (!manager.runtime(lease.sessionId) && !this.starter.has(lease.sessionId)) this.starter.enqueue(lease.sessionId);
    }
    // Every few beats: sessions running here that were told to stop where this node could not hear it.
    if (++this.beats % BEATS_PER_DESIRED_CHECK === 0) {
      for (const sessionId of await storage.cluster.unwanted(ownership.instance)) await manager.stopIfUnwanted(sessionId);
    }
  }

  private checkSelfFence(): void {
    const closed = this.deps.ownership.checkSelfFence();
    if (closed > 0) this.deps.logger.error({ sessions: closed, afterMs: this.deps.config.selfFenceMs }, 'lease renewals failing: closed every session connection here before another node may take them');
  }

  /** Places sessions that want to run and have no live lease on the nodes policy picks. */
  private adopt(): Promise<void> {
    this.adopting ??= this.adoptOnce().finally(() => (this.adopting = undefined));
    return this.adopting;
  }

  private async adoptOnce(): Promise<void> {
    const { storage, config } = this.deps;
    const timing = { ttlMs: config.leaseTtlMs };
    const orphans = await storage.cluster.orphans(ADOPT_BATCH, timing);
    // Nothing to place: the node list is read only every few rounds, to notice nodes that died idle.
    if (orphans.length === 0 && ++this.idleRounds % IDLE_ROUNDS_PER_NODE_CHECK !== 0) return;
    let nodes = await storage.cluster.listNodes(timing);
    await this.buryDeadNodes(nodes);
    for (const orphan of orphans) {
      if (this.stopping) return;
      const picked = place(config.placement, nodes, orphan.placement, this.turn++);
      if (!picked.node) continue;
      if ((await storage.cluster.assign(orphan.sessionId, picked.node.id, timing)) === undefined) continue;
      nodes = withOneMore(nodes, picked.node.id);
      if (picked.node.id === this.nodeId) this.starter.enqueue(orphan.sessionId);
      else await storage.bus.notify({ kind: 'lease', sessionId: orphan.sessionId, nodeId: picked.node.id });
    }
  }

  /** A node found dead: announced once cluster-wide, and its webhook attempts in flight made again. */
  private async buryDeadNodes(nodes: readonly NodeView[]): Promise<void> {
    const { storage, config } = this.deps;
    const dead = nodes.filter((n) => n.state === 'dead' && n.id !== this.nodeId).map((n) => n.id);
    const fresh = dead.filter((id) => !this.knownDead.has(id));
    this.knownDead.clear();
    for (const id of dead) this.knownDead.add(id);
    if (fresh.length === 0) return;
    for (const id of fresh) {
      if (await storage.cluster.markDead(id, { ttlMs: config.leaseTtlMs })) await this.record('node.down', { node: id, reason: 'heartbeat expired' });
    }
    const released = await storage.deliveries.releaseInFlight(Date.now(), fresh);
    if (released > 0) this.deps.logger.info({ nodes: fresh, released }, 'webhook attempts in flight on dead nodes will be made again');
  }

  private startDrain(): void {
    if (this.draining) return;
    this.draining = (async () => {
      await this.record('node.draining', { node: this.nodeId });
      while (!this.stopping && this.deps.manager.localSessions().length > 0) {
        const state = (await this.deps.storage.cluster.getNode(this.nodeId))?.state;
        if (state !== 'draining') break; // activated again
        if ((await this.drainRound()) === 0) await new Promise((resolve) => setTimeout(resolve, this.deps.config.renewMs));
      }
    })()
      .catch((error: unknown) => this.deps.logger.error({ err: error }, 'drain failed; it continues next heartbeat'))
      .finally(() => (this.draining = undefined));
  }

  /** Hands every session running here to other nodes, a few at a time; returns how many moved. */
  private async drainRound(): Promise<number> {
    let nodes = await this.nodes();
    let moved = 0;
    await runLimited(this.deps.manager.localSessions(), this.deps.config.drainConcurrency, async (sessionId) => {
      const record = await this.deps.storage.sessions.get(sessionId);
      if (!record) return;
      const picked = place(this.deps.config.placement, nodes, record.placement, this.turn++, new Set([this.nodeId]));
      if (!picked.node) {
        this.deps.logger.warn({ sessionId, missing: picked.missing }, 'drain: no node can take this session; it stays here');
        return;
      }
      nodes = withOneMore(nodes, picked.node.id);
      if (await this.handOver(sessionId, picked.node.id, record.tenantId)) moved += 1;
    });
    return moved;
  }

  private async handOver(sessionId: string, toNode: string, tenantId: string): Promise<boolean> {
    const startedAt = Date.now();
    const moved = await this.deps.manager.handOver(sessionId, toNode, (id) => this.deps.quiesce(id, QUIESCE_MS));
    if (moved) {
      this.deps.onMoved?.();
      this.deps.logger.info({ sessionId, to: toNode, ms: Date.now() - startedAt }, 'session handed over');
      await this.deps.record([{ id: this.deps.newId(), type: 'session.moved', tenantId, sessionId, timestamp: Date.now(), payload: { from: this.nodeId, to: toNode, handOverMs: Date.now() - startedAt } }]);
    }
    return moved;
  }

  private async sampleStats(): Promise<void> {
    const stats = this.deps.stats.sample();
    const sessions = this.deps.manager.localSessions().length;
    const now = Date.now();
    await this.deps.storage.cluster.appendStats(this.nodeId, now, { ...stats, sessions });
    // Samples (and nodes gone for good) older than the retention go, about once an hour.
    if (now - this.prunedAt < PRUNE_EVERY_MS) return;
    this.prunedAt = now;
    const before = now - this.deps.config.statsRetentionMs;
    await this.deps.storage.cluster.pruneStatsBefore(before);
    await this.deps.storage.cluster.pruneNodesBefore(before);
  }

  private record(type: string, payload: Record<string, unknown>): Promise<void>;
  private record(events: EventRecord[]): Promise<void>;
  private record(typeOrEvents: string | EventRecord[], payload: Record<string, unknown> = {}): Promise<void> {
    const events = typeof typeOrEvents === 'string'
      ? [{ id: this.deps.newId(), type: typeOrEvents, tenantId: SYSTEM_TENANT, sessionId: null, timestamp: Date.now(), payload }]
      : typeOrEvents;
    return this.deps.record(events);
  }
}

/** Node events belong to no tenant: admin keys and global webhooks see them, tenant keys never do. */
export const SYSTEM_TENANT = '*';
