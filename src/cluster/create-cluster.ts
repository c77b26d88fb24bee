/**
 * Wires this node's cluster parts for the composition root: the agent (heartbeat, adoption, drain),
 * owner lookups and forwarding for the HTTP layer, the node API service, and the messages between
 * nodes. A single node is a cluster of one: the same parts, with no peers to talk to.
 */
import type { ClusterConfig } from '../config/config.ts';
import type { EventRecord } from '../domain/records.ts';
import type { Logger } from '../logging/logger.ts';
import type { EventHub } from '../realtime/event-hub.ts';
import type { SessionManager } from '../sessions/session-manager.ts';
import type { Storage } from '../storage/ports.ts';
import { clusterSecret, ClusterAuth } from './cluster-auth.ts';
import { EventAnnouncer, listenToCluster } from './cluster-listener.ts';
import { HopClient } from './hop-client.ts';
import type { LeaseOwnership } from './lease-ownership.ts';
import { NodeAgent } from './node-agent.ts';
import { NodeService } from './node-service.ts';
import type { NodeStatsSampler } from './node-stats.ts';
import { SessionForwarding } from './session-forwarding.ts';
import { SessionRouter } from './session-router.ts';
import { registerClusterMetrics, type ClusterMetrics } from './cluster-metrics.ts';
import type { Registry } from 'prom-client';

/** How long a looked-up owner is trusted: while lease messages arrive they invalidate it sooner. */
const OWNER_CACHE_LISTENING_MS = 30_000;
const OWNER_CACHE_POLLING_MS = 1_000;

export interface ClusterDeps {
  config: ClusterConfig;
  resume: { concurrency: number; staggerMs: number };
  storage: Storage;
  ownership: LeaseOwnership;
  manager: SessionManager;
  masterKey: Buffer;
  stats: NodeStatsSampler;
  hub: EventHub;
  version: string;
  logger: Logger;
  newId(): string;
  /** Appends events to the outbox and publishes them. */
  record(events: EventRecord[]): Promise<void>;
  quiesce(sessionId: string, timeoutMs: number): Promise<void>;
  kick(sessionId: string): void;
  registry: Registry;
}

export interface Cluster {
  agent: NodeAgent;
  metrics: ClusterMetrics;
  forwarding: SessionForwarding;
  nodes: NodeService;
  /** Feed every published event batch: the other nodes hear of it. */
  announce(events: readonly EventRecord[]): void;
  /** Joins: listens to the other nodes, then starts the agent; resolves with the sessions it starts. */
  start(): Promise<number>;
  close(options: { handOver: boolean }): Promise<void>;
}

export function createCluster(deps: ClusterDeps): Cluster {
  const { config, storage, ownership, logger } = deps;
  const metrics = registerClusterMetrics(deps.registry, { ownedSessions: () => ownership.owns().size, nodes: () => storage.cluster.listNodes({ ttlMs: config.leaseTtlMs }) });
  ownership.onLost(() => metrics.leaseLost());
  const agent = new NodeAgent({
    storage, ownership, manager: deps.manager, config, resume: deps.resume, version: deps.version, logger,
    stats: deps.stats, newId: deps.newId, record: deps.record, quiesce: deps.quiesce,
    singleProcess: storage.driver === 'sqlite', onMoved: () => metrics.moved(),
  });
  const router = new SessionRouter({
    cluster: storage.cluster,
    nodeId: config.nodeId,
    ttlMs: config.leaseTtlMs,
    ownsLocally: (sessionId) => ownership.fence(sessionId) !== undefined,
    cacheMs: () => (storage.bus.listening ? OWNER_CACHE_LISTENING_MS : OWNER_CACHE_POLLING_MS),
  });
  const auth = new ClusterAuth(clusterSecret(config.secret, deps.masterKey), config.nodeId);
  const hops = new HopClient(auth);
  const announcer = new EventAnnouncer(storage.bus, config.nodeId, logger);
  return {
    agent,
    metrics,
    forwarding: new SessionForwarding(config.nodeId, config.leaseTtlMs, router, auth, hops, metrics),
    nodes: new NodeService({ cluster: storage.cluster, bus: storage.bus, agent, ttlMs: config.leaseTtlMs }),
    announce: (events) => announcer.add(events),
    async start() {
      await listenToCluster({
        bus: storage.bus,
        nodeId: config.nodeId,
        router,
        placedHere: (sessionId) => agent.placedHere(sessionId),
        stateChanged: () => agent.beatNow(),
        kick: deps.kick,
        wantsEvents: () => deps.hub.size > 0,
        eventsByIds: (ids) => storage.deliveries.eventsByIds(ids),
        deliverEvents: (events) => deps.hub.publish(events),
        logger,
      });
      return agent.start();
    },
    async close(options) {
      announcer.flush();
      await agent.close(options);
      await hops.close();
    },
  };
}
