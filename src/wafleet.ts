/**
 * Composition root: wires adapters into services through constructors. The only place that knows
 * which storage driver, engines and ownership implementation are in use.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/config.ts';
import { createLogger, type Logger } from './logging/logger.ts';
import { systemClock, type Clock } from './clock.ts';
import { createIdFactory } from './id-factory.ts';
import type { Engine } from './engines/engine.ts';
import { EngineRegistry } from './engines/registry.ts';
import { FakeEngine } from './engines/fake/fake-engine.ts';
import { BaileysEngine } from './engines/baileys/baileys-engine.ts';
import { createStorage, lockDataDir, SQLITE_FILE_NAME } from './storage/create-storage.ts';
import { wideModes } from './security/file-modes.ts';
import type { Storage } from './storage/ports.ts';
import { ApiKeyService } from './auth/api-key-service.ts';
import { TenantService } from './tenants/tenant-service.ts';
import { TenantDeletionService } from './tenants/tenant-deletion.ts';
import { SessionManager } from './sessions/session-manager.ts';
import { SessionService } from './sessions/session-service.ts';
import { LeaseOwnership } from './cluster/lease-ownership.ts';
import { NodeStatsSampler } from './cluster/node-stats.ts';
import { createCluster, type Cluster } from './cluster/create-cluster.ts';
import type { NodeAgent } from './cluster/node-agent.ts';
import { PlacementService } from './cluster/placement-service.ts';
import { nodeDownSource } from './cluster/node-down-alerts.ts';
import { wafleetVersion } from './version.ts';
import { createEncryptedAuthState } from './sessions/encrypted-auth-state.ts';
import { loadMasterKey, MASTER_KEY_FILE } from './security/master-key.ts';
import { createCipher } from './security/cipher.ts';
import type { EventRecord } from './domain/records.ts';
import { createMetrics } from './metrics/metrics.ts';
import { MessageRecorder } from './messages/message-recorder.ts';
import { MessageService } from './messages/message-service.ts';
import { DirectoryService } from './messages/directory-service.ts';
import { NumberChecks } from './messages/number-checks.ts';
import { GroupService } from './messages/group-service.ts';
import { LiveSessions } from './sessions/live-session.ts';
import { buildApp } from './app.ts';
import { createEventDelivery } from './webhooks/create-event-delivery.ts';
import { createOutbound, type Outbound } from './outbound/create-outbound.ts';
import { registerEventMetrics } from './metrics/event-metrics.ts';
import { SessionTransfer } from './sessions/session-transfer.ts';
import { createAlerts, type Alerts } from './alerts/create-alerts.ts';
import { createOutboundGuard, type ResolveHost } from './net/outbound-guard.ts';
import { parseAllowlist } from './net/address-policy.ts';
import type { MediaLimits } from './messages/media-source.ts';
import { createAccounts } from './auth/create-accounts.ts';
import { dashboardDir } from './dashboard-dir.ts';

export interface WafleetOptions {
  logger?: Logger;
  clock?: Clock;
  /** Extra engines (tests pass a FakeEngine they can drive). */
  engines?: Engine[];
  /** Called after each committed batch of events (realtime delivery hooks in here). */
  onEvents?: (events: EventRecord[]) => void;
  /** Host name resolution for media and webhook URLs (tests inject answers); getaddrinfo by default. */
  resolveHost?: ResolveHost;
}

/** Reports data files other local users could read (they hold auth state, keys and messages). */
async function warnAboutWideModes(config: Readonly<Config>, logger: Logger): Promise<void> {
  const database = join(config.dataDir, SQLITE_FILE_NAME);
  const files = [join(config.dataDir, MASTER_KEY_FILE), ...(config.databaseUrl ? [] : [database, `${database}-wal`, `${database}-shm`])];
  for (const wide of await wideModes({ directories: [config.dataDir], files })) {
    logger.warn({ path: wide.path, mode: wide.mode }, `other local users can read ${wide.path} (mode ${wide.mode}); fix with: ${wide.fix}`);
  }
}

/** Media URLs are fetched through agents that refuse internal addresses when they connect. */
function mediaLimits(config: Readonly<Config>, resolveHost: ResolveHost | undefined): MediaLimits {
  const guard = createOutboundGuard({
    allowPrivateUrls: config.media.allowPrivateUrls,
    allowlist: parseAllowlist(config.privateUrlAllowlist),
    ...(resolveHost ? { resolve: resolveHost } : {}),
  });
  return { maxBytes: config.media.maxBytes, timeoutMs: config.media.timeoutMs, agents: guard.agents() };
}

export interface Wafleet {
  app: FastifyInstance;
  storage: Storage;
  manager: SessionManager;
  /** This node's part in the cluster (a single node is a cluster of one). */
  node: NodeAgent;
  engines: EngineRegistry;
  keys: ApiKeyService;
  /** Built-in alerting; `alerts.addSource` is where the cluster plugs in node_down. */
  alerts: Alerts;
  /** Set on the very first start when no admin key was configured: show it once. */
  generatedAdminKey: string | undefined;
  /**
   * Joins the cluster, starts the sessions this node should run (those it ran, and orphans placed
   * on it) and the liveness watchdog; resolves with how many it started once they are under way.
   */
  resume(): Promise<number>;
  /** The address other nodes reach this one at, once it listens (when WAFLEET_NODE_URL is unset). */
  listening(url: string): Promise<void>;
  /**
   * Closes HTTP; in a cluster with other active nodes hands every session to them, otherwise stops
   * sessions keeping them marked to resume; closes the store.
   */
  close(): Promise<void>;
}

export async function createWafleet(config: Readonly<Config>, options: WafleetOptions = {}): Promise<Wafleet> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const newId = createIdFactory();
  // SQLite: one serving process per data dir (a second would resume every session a second time).
  const unlock = config.databaseUrl ? () => undefined : lockDataDir(config.dataDir);
  let storage: Storage;
  try {
    storage = await createStorage({ databaseUrl: config.databaseUrl, schema: config.databaseSchema, directUrl: config.cluster.directDatabaseUrl, dataDir: config.dataDir, logger });
  } catch (error) {
    unlock();
    throw error;
  }
  try {
    const masterKey = await loadMasterKey({ envValue: config.masterKey, dataDir: config.dataDir, embedded: !config.databaseUrl });
    if (masterKey.generated) {
      logger.warn({ file: masterKey.path }, 'generated a new master key for auth-state encryption; back it up, and set WAFLEET_MASTER_KEY in production');
    }
    await warnAboutWideModes(config, logger);
    const cipher = createCipher(masterKey.key);
    const accounts = createAccounts({ config, storage, clock, newId, logger, masterKey: masterKey.key });
    const eventDelivery = createEventDelivery({ config, storage, clock, newId, logger, cipher, nodeId: config.cluster.nodeId, resolveHost: options.resolveHost, deliveryFinished: (event, delivered) => accounts.stats.observeDelivery(event, delivered) });
    const media = mediaLimits(config, options.resolveHost);
    const sealedHeaders = await eventDelivery.webhooks.sealClearHeaders();
    if (sealedHeaders > 0) logger.info({ webhooks: sealedHeaders }, 'sealed the custom headers that earlier versions stored in clear');

    const engines = new EngineRegistry();
    engines.register(new BaileysEngine({ waUrl: config.waUrl, qrTimeoutMs: config.qrTimeoutMs, logger: logger.child({ engine: 'baileys' }, { level: config.engineLogLevel }) }));
    if (config.enableFakeEngine) engines.register(new FakeEngine());
    for (const engine of options.engines ?? []) engines.register(engine);

    const onEvents = eventDelivery.publisher(options.onEvents);
    const metrics = createMetrics(() => storage.sessions.countByStatus(), engines.names());
    const nodeStats = new NodeStatsSampler(metrics.requests);
    // The outbound worker follows the events (a session turning WORKING resumes its queue).
    const late: { outbound?: Outbound; cluster?: Cluster; countEvents?: (events: readonly EventRecord[]) => void } = {};
    const publish = (events: EventRecord[]): void => {
      onEvents(events);
      nodeStats.observe(events);
      accounts.stats.observe(events);
      late.outbound?.observe(events);
      late.cluster?.announce(events);
      late.countEvents?.(events);
    };
    const ownership = new LeaseOwnership({
      cluster: storage.cluster,
      bus: storage.bus,
      nodeId: config.cluster.nodeId,
      instance: newId(),
      ttlMs: config.cluster.leaseTtlMs,
      selfFenceMs: config.cluster.selfFenceMs,
      onFencedWrite: () => late.cluster?.metrics.fencedWrite(),
    });
    const recorder = new MessageRecorder(storage, clock, newId, publish);
    const manager = new SessionManager({
      storage,
      clock,
      logger,
      newId,
      publish,
      recorder,
      engines,
      ownership,
      authStateFor: (sessionId, fence) => createEncryptedAuthState(storage.authState, cipher, sessionId, fence),
      restart: config.reconnect,
      qrMaxCycles: config.qrMaxCycles,
      healthStaleMs: config.healthStaleMs,
    });
    const keys = new ApiKeyService(storage, clock, newId);
    const generatedAdminKey = await keys.ensureAdminKey(config.adminKey);
    const tenants = new TenantService(storage, clock, config.defaultMaxSessions);
    const tenantDeletion = new TenantDeletionService({ storage, manager, clock, newId, logger: logger.child({ component: 'tenant-deletion' }), accessEnded: (tenantId) => keys.forgetTenant(tenantId) });
    const sessions = new SessionService({
      storage,
      manager,
      engines,
      clock,
      newId,
      defaultEngine: config.defaultEngine,
      selectableEngines: engines.names(),
      healthStaleMs: config.healthStaleMs,
      engineAllowlist: config.engineAllowlist,
      placement: new PlacementService({
        cluster: storage.cluster, bus: storage.bus, nodeId: config.cluster.nodeId, policy: config.cluster.placement, ttlMs: config.cluster.leaseTtlMs,
        self: () => ({ id: config.cluster.nodeId, left: false, capacity: config.cluster.capacity, weight: config.cluster.weight, tags: config.cluster.tags, sessions: ownership.owns().size }),
      }),
      nodeId: config.cluster.nodeId,
    });
    const live = new LiveSessions(sessions, manager, engines);
    const messages = new MessageService({ storage, clock, newId, sessions, live, recorder, media });
    const numberChecks = new NumberChecks(clock, config.numberCheckTtlMs);
    const directory = new DirectoryService(storage, sessions, live, numberChecks);
    const groups = new GroupService(live);
    eventDelivery.registerMetrics(metrics.registry);
    late.countEvents = registerEventMetrics(metrics.registry, () => eventDelivery.hub.size);
    const outbound = createOutbound({
      config: { outbound: config.outbound, rateLimit: config.rateLimit, media }, storage, clock, newId, publish, recorder, logger, manager, ownership, live, sessions, registry: metrics.registry, numberChecks,
      queuedElsewhere: (sessionId) => void storage.bus.notify({ kind: 'kick', sessionId }).catch(() => undefined),
    });
    late.outbound = outbound;
    const alerts = createAlerts({ config, storage, clock, newId, publish, logger, registry: metrics.registry, resolveHost: options.resolveHost });
    alerts.addSource(nodeDownSource(() => storage.cluster.listNodes({ ttlMs: config.cluster.leaseTtlMs })));
    const cluster = createCluster({
      config: config.cluster,
      resume: config.resume,
      storage,
      ownership,
      manager,
      masterKey: masterKey.key,
      stats: nodeStats,
      hub: eventDelivery.hub,
      version: wafleetVersion(),
      logger: logger.child({ component: 'cluster', node: config.cluster.nodeId }),
      newId,
      async record(events) {
        await storage.events.append(events);
        publish(events);
      },
      quiesce: (sessionId, timeoutMs) => outbound.worker.quiesce(sessionId, timeoutMs),
      kick: (sessionId) => outbound.worker.kick(sessionId),
      registry: metrics.registry,
    });
    late.cluster = cluster;
    const node = cluster.agent;
    const app = await buildApp({
      logger,
      bodyLimitBytes: config.bodyLimitBytes,
      trustProxy: config.trustProxy,
      corsOrigins: config.corsOrigins,
      keys,
      tenants,
      tenantDeletion,
      sessions,
      messages,
      directory,
      groups,
      media,
      metrics,
      ping: () => storage.ping(),
      durable: () => storage.durable(),
      delivery: eventDelivery,
      outbound,
      forwarding: cluster.forwarding,
      nodes: cluster.nodes,
      transfer: new SessionTransfer({ storage, sessions, manager, engines, cipher, clock }),
      alerts: alerts.admin,
      accounts: { ...accounts, cookieSecure: config.users.cookieSecure, auditEnabled: config.users.auditEnabled },
      dashboardDir: dashboardDir(),
    });

    let joined = false;
    return {
      app,
      storage,
      manager,
      node,
      engines,
      keys,
      alerts,
      generatedAdminKey,
      async resume() {
        joined = true;
        const count = await cluster.start();
        manager.startWatchdog();
        await eventDelivery.start();
        await outbound.resumeAll();
        alerts.start();
        await node.starter.idle();
        // After the resume (a deletion that logs sessions out needs them connected); in the background,
        // since a large tenant takes a while. resumePending logs its own failures.
        void tenantDeletion.resumePending().catch((error: unknown) => logger.error({ err: error }, 'could not read the pending tenant deletions'));
        accounts.start();
        return count;
      },
      listening: (url) => node.setUrl(url),
      async close() {
        // First: sync sends waiting for the queue answer now (202, still queued — resumed next start),
        // so closing HTTP does not wait out their timeouts.
        await outbound.close();
        await alerts.stop();
        await app.close();
        await accounts.close();
        try {
          if (joined) await cluster.close({ handOver: true });
          else await manager.shutdown();
          await eventDelivery.stop();
        } finally {
          await storage.close();
          unlock();
        }
      },
    };
  } catch (error) {
    await storage.close();
    unlock();
    throw error;
  }
}
