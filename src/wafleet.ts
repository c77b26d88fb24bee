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
import { createStorage, SQLITE_FILE_NAME } from './storage/create-storage.ts';
import { wideModes } from './security/file-modes.ts';
import type { Storage } from './storage/ports.ts';
import { ApiKeyService } from './auth/api-key-service.ts';
import { TenantService } from './tenants/tenant-service.ts';
import { SessionManager } from './sessions/session-manager.ts';
import { SessionService } from './sessions/session-service.ts';
import { SingleNodeOwnership } from './sessions/ownership.ts';
import { createEncryptedAuthState } from './sessions/encrypted-auth-state.ts';
import { loadMasterKey, MASTER_KEY_FILE } from './security/master-key.ts';
import { createCipher } from './security/cipher.ts';
import type { EventRecord } from './domain/records.ts';
import { createMetrics } from './metrics/metrics.ts';
import { MessageRecorder } from './messages/message-recorder.ts';
import { MessageService } from './messages/message-service.ts';
import { DirectoryService } from './messages/directory-service.ts';
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
  engines: EngineRegistry;
  keys: ApiKeyService;
  /** Built-in alerting; `alerts.addSource` is where the cluster plugs in node_down. */
  alerts: Alerts;
  /** Set on the very first start when no admin key was configured: show it once. */
  generatedAdminKey: string | undefined;
  /** Resumes sessions that were running and starts the liveness watchdog. */
  resume(): Promise<number>;
  /** Stops sessions (keeping them marked to resume), closes HTTP and the store. */
  close(): Promise<void>;
}

export async function createWafleet(config: Readonly<Config>, options: WafleetOptions = {}): Promise<Wafleet> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const newId = createIdFactory();
  const storage = await createStorage({ databaseUrl: config.databaseUrl, schema: config.databaseSchema, dataDir: config.dataDir, logger });
  try {
    const masterKey = await loadMasterKey({ envValue: config.masterKey, dataDir: config.dataDir, embedded: !config.databaseUrl });
    if (masterKey.generated) {
      logger.warn({ file: masterKey.path }, 'generated a new master key for auth-state encryption; back it up, and set WAFLEET_MASTER_KEY in production');
    }
    await warnAboutWideModes(config, logger);
    const cipher = createCipher(masterKey.key);
    const eventDelivery = createEventDelivery({ config, storage, clock, newId, logger, cipher, resolveHost: options.resolveHost });
    const media = mediaLimits(config, options.resolveHost);
    const sealedHeaders = await eventDelivery.webhooks.sealClearHeaders();
    if (sealedHeaders > 0) logger.info({ webhooks: sealedHeaders }, 'sealed the custom headers that earlier versions stored in clear');

    const engines = new EngineRegistry();
    engines.register(new BaileysEngine({ waUrl: config.waUrl, logger: logger.child({ engine: 'baileys' }, { level: config.engineLogLevel }) }));
    if (config.enableFakeEngine) engines.register(new FakeEngine());
    for (const engine of options.engines ?? []) engines.register(engine);

    const onEvents = eventDelivery.publisher(options.onEvents);
    // The outbound worker follows the events (a session turning WORKING resumes its queue).
    const late: { outbound?: Outbound; countEvents?: (events: readonly EventRecord[]) => void } = {};
    const publish = (events: EventRecord[]): void => {
      onEvents(events);
      late.outbound?.observe(events);
      late.countEvents?.(events);
    };
    const recorder = new MessageRecorder(storage, clock, newId, publish);
    const manager = new SessionManager({
      storage,
      clock,
      logger,
      newId,
      publish,
      recorder,
      engines,
      ownership: new SingleNodeOwnership(),
      authStateFor: (sessionId) => createEncryptedAuthState(storage.authState, cipher, sessionId),
      restart: config.reconnect,
      resume: config.resume,
      healthStaleMs: config.healthStaleMs,
    });
    const keys = new ApiKeyService(storage, clock, newId);
    const generatedAdminKey = await keys.ensureAdminKey(config.adminKey);
    const tenants = new TenantService(storage, clock, config.defaultMaxSessions);
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
    });
    const live = new LiveSessions(sessions, manager);
    const messages = new MessageService({ storage, clock, newId, sessions, live, recorder, media });
    const directory = new DirectoryService(storage, sessions, live);
    const groups = new GroupService(live);
    const metrics = createMetrics(() => storage.sessions.countByStatus(), engines.names());
    eventDelivery.registerMetrics(metrics.registry);
    late.countEvents = registerEventMetrics(metrics.registry, () => eventDelivery.hub.size);
    const outbound = createOutbound({ config: { outbound: config.outbound, rateLimit: config.rateLimit, media }, storage, clock, newId, publish, recorder, logger, manager, live, sessions, registry: metrics.registry });
    late.outbound = outbound;
    const alerts = createAlerts({ config, storage, clock, newId, publish, logger, registry: metrics.registry, resolveHost: options.resolveHost });
    const app = await buildApp({
      logger,
      bodyLimitBytes: config.bodyLimitBytes,
      trustProxy: config.trustProxy,
      corsOrigins: config.corsOrigins,
      keys,
      tenants,
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
      transfer: new SessionTransfer({ storage, sessions, manager, engines, cipher, clock }),
      alerts: alerts.admin,
    });

    return {
      app,
      storage,
      manager,
      engines,
      keys,
      alerts,
      generatedAdminKey,
      async resume() {
        const count = await manager.resumeAll();
        manager.startWatchdog();
        await eventDelivery.start();
        await outbound.resumeAll();
        alerts.start();
        return count;
      },
      async close() {
        // First: sync sends waiting for the queue answer now (202, still queued — resumed next start),
        // so closing HTTP does not wait out their timeouts.
        await outbound.close();
        await alerts.stop();
        await app.close();
        await eventDelivery.stop();
        await manager.shutdown();
        await storage.close();
      },
    };
  } catch (error) {
    await storage.close();
    throw error;
  }
}
