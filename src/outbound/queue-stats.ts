/** A session's outbound queue as the API shows it: depth, how long the oldest waited, pacing in force. */
import type { Principal } from '../auth/principal.ts';
import type { Clock } from '../clock.ts';
import type { SessionService } from '../sessions/session-service.ts';
import type { Storage } from '../storage/ports.ts';
import type { OutboundWorker } from './outbound-worker.ts';
import type { PacingRules } from './pacing-rules.ts';
import type { PacingPolicy } from './pacing-policy.ts';

export interface QueueStats {
  depth: number;
  oldestEnqueuedAt: number | null;
  /** How long the oldest waiting message has waited so far. */
  waitMs: number;
  /** When the last message now queued could go at the earliest, given the pacing. */
  drainEstimateAt: number | null;
  inFlight: string | null;
  pacing: PacingRules;
}

export class QueueStatsService {
  constructor(private readonly deps: { storage: Storage; clock: Clock; sessions: SessionService; worker: OutboundWorker; pacing: PacingPolicy }) {}

  async stats(principal: Principal, sessionId: string): Promise<QueueStats> {
    const session = await this.deps.sessions.load(principal, sessionId, 'read');
    const { depth, oldestEnqueuedAt } = await this.deps.storage.outbound.depth(sessionId);
    const now = this.deps.clock.now();
    return {
      depth,
      oldestEnqueuedAt,
      waitMs: oldestEnqueuedAt === null ? 0 : Math.max(0, now - oldestEnqueuedAt),
      drainEstimateAt: depth ? await this.deps.worker.estimate(session, depth) : null,
      inFlight: this.deps.worker.inFlight(sessionId) ?? null,
      pacing: await this.deps.pacing.rulesFor(session),
    };
  }
}
