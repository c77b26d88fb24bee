/**
 * Wires the outbound pipeline (worker, services, rate limiter, metrics) for the composition root.
 * The worker follows the event stream: a session turning WORKING on this node gets its queue worked.
 */
import type { Registry } from 'prom-client';
import type { Clock } from '../clock.ts';
import type { OutboundConfig, RateLimitConfig } from '../config/config.ts';
import type { EventRecord } from '../domain/records.ts';
import type { Logger } from '../logging/logger.ts';
import type { MediaLimits } from '../messages/media-source.ts';
import type { MessageRecorder } from '../messages/message-recorder.ts';
import type { NumberChecks } from '../messages/number-checks.ts';
import type { LiveSessions } from '../sessions/live-session.ts';
import type { SessionManager } from '../sessions/session-manager.ts';
import type { SessionOwnership } from '../sessions/ownership.ts';
import type { EventPublisher } from '../sessions/session-events.ts';
import type { SessionService } from '../sessions/session-service.ts';
import type { Storage } from '../storage/ports.ts';
import { BulkService } from './bulk-service.ts';
import { registerOutboundMetrics } from './outbound-metrics.ts';
import { OutboundWorker } from './outbound-worker.ts';
import { QueueStatsService } from './queue-stats.ts';
import { MemoryRateLimiter, type RateLimiter } from './rate-limit/rate-limiter.ts';
import { RedisRateLimiter } from './rate-limit/redis-rate-limiter.ts';
import { SendService } from './send-service.ts';
import { PacingPolicy } from './pacing-policy.ts';
import { IDEMPOTENCY_TTL_MS } from './idempotency.ts';

const PRUNE_EVERY_MS = 60 * 60 * 1000;
/**
 * How often the queues of sessions WORKING here are looked at without a reason: a send queued on
 * another node while a message between nodes was lost still goes out, at most this late.
 */
const SWEEP_EVERY_MS = 10_000;

export interface OutboundDeps {
  config: { outbound: OutboundConfig; rateLimit: RateLimitConfig; media: MediaLimits };
  storage: Storage;
  clock: Clock;
  newId: () => string;
  publish: EventPublisher;
  recorder: MessageRecorder;
  logger: Logger;
  manager: SessionManager;
  ownership: Pick<SessionOwnership, 'fence' | 'fenced'>;
  live: LiveSessions;
  sessions: SessionService;
  registry: Registry;
  numberChecks?: NumberChecks;
  /** A send queued here for a session another node runs: tell that node. */
  queuedElsewhere?(sessionId: string): void;
}

export interface Outbound {
  worker: OutboundWorker;
  pacing: PacingPolicy;
  sender: SendService;
  queue: QueueStatsService;
  bulk: BulkService;
  rateLimiter: RateLimiter | undefined;
  rateLimitBurst: number;
  /** Feed every published event batch here. */
  observe(events: EventRecord[]): void;
  /** Works every queue whose session is WORKING here (after resume). */
  resumeAll(): Promise<void>;
  close(): Promise<void>;
}

export function createOutbound(deps: OutboundDeps): Outbound {
  const { config, storage, clock, newId, publish, manager } = deps;
  const pacing = new PacingPolicy(storage, clock, config.outbound.pacing);
  const metrics = registerOutboundMetrics(deps.registry, () => storage.outbound.totals(), () => clock.now());
  const worker = new OutboundWorker({
    storage, clock, newId, recorder: deps.recorder, logger: deps.logger,
    pacing,
    maxAttempts: config.outbound.maxAttempts,
    attemptTimeoutMs: config.outbound.attemptTimeoutMs,
    live(sessionId) {
      const runtime = manager.runtime(sessionId);
      return runtime?.snapshot().status === 'WORKING' ? runtime.current() : undefined;
    },
    fence: (sessionId) => deps.ownership.fence(sessionId),
    fenced: (sessionId) => deps.ownership.fenced(sessionId),
    onSettled: (result, waitMs) => metrics.settled(result, waitMs),
    ...(deps.numberChecks ? { numberChecks: deps.numberChecks } : {}),
  });
  const rules = { rps: config.rateLimit.rps, burst: config.rateLimit.burst };
  const rateLimiter = rules.rps <= 0 ? undefined : config.rateLimit.redisUrl ? new RedisRateLimiter(config.rateLimit.redisUrl, rules) : new MemoryRateLimiter(rules, clock);
  // Idempotency keys past their 24 h are forgotten hourly (a replay check also ignores them).
  let pruneTimer: { cancel(): void } | undefined;
  let sweepTimer: { cancel(): void } | undefined;
  let closed = false;
  const sweep = (): void => {
    if (closed) return;
    storage.outbound.sessionsWithWork()
      .then((ids) => ids.forEach((id) => worker.kick(id)))
      .catch((error: unknown) => deps.logger.warn({ err: error }, 'could not look for queued sends'))
      .finally(() => {
        if (!closed) sweepTimer = clock.setTimeout(sweep, SWEEP_EVERY_MS);
      });
  };
  const prune = (): void => {
    if (closed) return;
    storage.idempotency.pruneBefore(clock.now() - IDEMPOTENCY_TTL_MS)
      .catch((error: unknown) => deps.logger.warn({ err: error }, 'could not prune idempotency keys'))
      .finally(() => {
        if (!closed) pruneTimer = clock.setTimeout(prune, PRUNE_EVERY_MS);
      });
  };
  return {
    worker,
    pacing,
    sender: new SendService({ storage, clock, newId, publish, live: deps.live, worker, media: config.media, syncTimeoutMs: config.outbound.syncTimeoutMs, ...(deps.queuedElsewhere ? { queuedElsewhere: deps.queuedElsewhere } : {}) }),
    queue: new QueueStatsService({ storage, clock, sessions: deps.sessions, worker, pacing }),
    bulk: new BulkService({ storage, clock, newId, publish, live: deps.live, sessions: deps.sessions, worker, media: config.media, maxRecipients: config.outbound.bulkMaxRecipients }),
    rateLimiter,
    rateLimitBurst: rules.burst,
    observe(events) {
      for (const event of events) {
        if (event.type === 'session.status' && event.payload.status === 'WORKING' && event.sessionId) worker.kick(event.sessionId);
      }
    },
    async resumeAll() {
      for (const sessionId of await storage.outbound.sessionsWithWork()) worker.kick(sessionId);
      prune();
      sweepTimer = clock.setTimeout(sweep, SWEEP_EVERY_MS);
    },
    async close() {
      closed = true;
      pruneTimer?.cancel();
      sweepTimer?.cancel();
      await worker.close();
      await rateLimiter?.close();
    },
  };
}
