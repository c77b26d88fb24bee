/**
 * Message analytics kept as rollups: committed events and finished webhook attempts add to
 * in-memory counters per session and hour, written to the store once a second (one upsert per
 * bucket that changed). Requests read the rollups, never the message table. A process killed
 * outright loses at most the last second of counts.
 */
import type { Clock } from '../clock.ts';
import type { Logger } from '../logging/logger.ts';
import type { EventRecord } from '../domain/records.ts';
import { counterFor, DAY_MS, emptyCounts, foldBuckets, HOUR_MS, hourOf, type StatCounter, type StatsBucket } from '../domain/analytics.ts';
import type { Storage } from '../storage/ports.ts';
import type { StatsIncrement } from '../storage/account-ports.ts';
import type { Principal } from '../auth/principal.ts';
import { hasScope, tenantOf } from '../auth/principal.ts';
import { AppError } from '../errors/app-error.ts';

const FLUSH_MS = 1_000;
/** At most this many buckets a request (e.g. 93 days of hours for 10 sessions is ≈ 22k). */
const MAX_RANGE_MS = 400 * DAY_MS;

export interface AnalyticsQuery {
  session?: string;
  tenant?: string;
  from?: number;
  to?: number;
  bucket: 'hour' | 'day';
}

export class MessageStats {
  private pending = new Map<string, StatsIncrement>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;

  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** The composition root feeds every committed event batch through here. */
  observe(events: readonly EventRecord[]): void {
    for (const event of events) {
      if (!event.sessionId) continue;
      const counter = counterFor(event.type, event.payload);
      if (counter) this.add(event.tenantId, event.sessionId, event.timestamp, counter);
    }
  }

  /** A webhook delivery finished: delivered, or dead (retries given up). */
  observeDelivery(event: EventRecord, delivered: boolean): void {
    if (event.sessionId) this.add(event.tenantId, event.sessionId, this.clock.now(), delivered ? 'webhookOk' : 'webhookFailed');
  }

  async query(principal: Principal, query: AnalyticsQuery): Promise<{ bucket: 'hour' | 'day'; from: number; to: number; items: StatsBucket[]; totals: ReturnType<typeof emptyCounts> }> {
    if (!hasScope(principal, 'read')) throw new AppError('FORBIDDEN', 'This key lacks the "read" scope.');
    const own = tenantOf(principal);
    if (own !== undefined && query.tenant !== undefined && query.tenant !== own) throw new AppError('TENANT_NOT_FOUND', `Tenant "${query.tenant}" not found.`);
    const to = query.to ?? this.clock.now() + 1;
    const from = query.from ?? to - 7 * DAY_MS;
    if (from >= to) throw new AppError('VALIDATION_FAILED', '"from" must be before "to".', { field: 'querystring.from' });
    if (to - from > MAX_RANGE_MS) throw new AppError('VALIDATION_FAILED', 'The range may span at most 400 days: narrow "from" and "to".', { field: 'querystring.from' });
    await this.flush();
    const tenantId = own ?? query.tenant;
    const rows = await this.storage.analytics.list({ from: hourOf(from), to, ...(tenantId !== undefined ? { tenantId } : {}), ...(query.session !== undefined ? { sessionId: query.session } : {}) });
    const items = foldBuckets(rows, query.bucket === 'day' ? DAY_MS : HOUR_MS);
    const totals = emptyCounts();
    for (const row of items) for (const key of Object.keys(totals) as StatCounter[]) totals[key] += row[key];
    return { bucket: query.bucket, from, to, items, totals };
  }

  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.writing) await this.writing;
    if (this.pending.size === 0) return;
    const rows = [...this.pending.values()];
    this.pending = new Map();
    this.writing = this.storage.analytics.increment(rows).catch((error: unknown) => {
      this.logger.warn({ err: error, buckets: rows.length }, 'could not write message analytics; retrying');
      for (const row of rows) this.merge(row);
      this.schedule();
    });
    try {
      await this.writing;
    } finally {
      this.writing = undefined;
    }
  }

  private add(tenantId: string, sessionId: string, at: number, counter: StatCounter): void {
    this.merge({ tenantId, sessionId, bucketStart: hourOf(at), ...emptyCounts(), [counter]: 1 });
    this.schedule();
  }

  private merge(row: StatsIncrement): void {
    const key = `${row.sessionId}\u0000${row.bucketStart}`;
    const into = this.pending.get(key);
    if (!into) {
      this.pending.set(key, { ...row });
      return;
    }
    for (const counter of Object.keys(emptyCounts()) as StatCounter[]) into[counter] += row[counter];
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
  }
}
