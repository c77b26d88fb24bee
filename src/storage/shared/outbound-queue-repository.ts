import type { OutboundQueueRepository, QueueDepth, QueuedSend } from '../outbound-ports.ts';
import { sql } from 'kysely';
import type { Db, Dialect } from './database.ts';
import type { Fence } from '../../domain/cluster.ts';
import { FencedWriteError } from '../ports.ts';
import { leaseHeldBy } from './fencing.ts';
import { toMillis } from './json.ts';
import { ReusableQuery } from './reusable-query.ts';
import type { OutboundQueueTable } from './outbound-tables.ts';

/** Rows per INSERT: 9 parameters each stays far below both drivers' parameter limits. */
const INSERT_CHUNK = 200;

function toQueued(row: OutboundQueueTable): QueuedSend {
  return {
    sessionId: row.session_id,
    messageId: row.message_id,
    tenantId: row.tenant_id,
    seq: row.seq,
    chatId: row.chat_id,
    payload: row.payload,
    bulkJobId: row.bulk_job_id,
    attempts: Number(row.attempts),
    enqueuedAt: toMillis(row.enqueued_at),
  };
}

const QUEUE_COLUMNS = ['session_id', 'message_id', 'tenant_id', 'seq', 'chat_id', 'payload', 'bulk_job_id', 'attempts', 'enqueued_at', 'held'] as const satisfies ReadonlyArray<keyof OutboundQueueTable>;
type QueueKey = { sessionId: string; messageId: string };

const enqueueOne = new ReusableQuery(QUEUE_COLUMNS, (db: Db, row: OutboundQueueTable) => db.insertInto('outbound_queue').values(row));
/** The session's next message: the first in FIFO order that is not held (a paused job's rows are). */
const nextInQueue = new ReusableQuery(['sessionId'], (db: Db, p: { sessionId: string }) =>
  db
    .selectFrom('outbound_queue')
    .selectAll()
    .where('session_id', '=', p.sessionId)
    // A literal: with a bound value neither database could use the partial index of ready rows.
    .where(sql<boolean>`held = 0`)
    .orderBy('seq')
    .limit(1),
);
const nextInQueueAfter = new ReusableQuery(['sessionId', 'afterSeq'], (db: Db, p: { sessionId: string; afterSeq: string }) =>
  db
    .selectFrom('outbound_queue')
    .selectAll()
    .where('session_id', '=', p.sessionId)
    .where(sql<boolean>`held = 0`)
    .where('seq', '>', p.afterSeq)
    .orderBy('seq')
    .limit(1),
);
const countAttempt = new ReusableQuery(['sessionId', 'messageId'], (db: Db, p: QueueKey) =>
  db
    .updateTable('outbound_queue')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('session_id', '=', p.sessionId)
    .where('message_id', '=', p.messageId),
);
const removeFromQueue = new ReusableQuery(['sessionId', 'messageId'], (db: Db, p: QueueKey) =>
  db.deleteFrom('outbound_queue').where('session_id', '=', p.sessionId).where('message_id', '=', p.messageId),
);

type FencedKey = QueueKey & Fence;
/** The owner's queue writes carry its fencing check in the same statement (no extra round trip). */
function fencedQueueWrites(dialect: Dialect) {
  const held = (p: FencedKey) => leaseHeldBy(dialect, p.sessionId, { holder: p.holder, epoch: p.epoch });
  return {
    countAttempt: new ReusableQuery(['sessionId', 'messageId', 'holder', 'epoch'], (db: Db, p: FencedKey) =>
      db
        .updateTable('outbound_queue')
        .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
        .where('session_id', '=', p.sessionId)
        .where('message_id', '=', p.messageId)
        .where(held(p)),
    ),
    remove: new ReusableQuery(['sessionId', 'messageId', 'holder', 'epoch'], (db: Db, p: FencedKey) =>
      db.deleteFrom('outbound_queue').where('session_id', '=', p.sessionId).where('message_id', '=', p.messageId).where(held(p)),
    ),
  };
}
const fencedByDialect = { sqlite: fencedQueueWrites('sqlite'), postgres: fencedQueueWrites('postgres') };

export class KyselyOutboundQueueRepository implements OutboundQueueRepository {
  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
  ) {}

  async enqueue(items: QueuedSend[]): Promise<void> {
    const rows: OutboundQueueTable[] = items.map((item) => ({
      session_id: item.sessionId,
      message_id: item.messageId,
      tenant_id: item.tenantId,
      seq: item.seq,
      chat_id: item.chatId,
      payload: item.payload,
      bulk_job_id: item.bulkJobId,
      attempts: item.attempts,
      enqueued_at: item.enqueuedAt,
      held: 0,
    }));
    const [only] = rows;
    if (rows.length === 1 && only && only.bulk_job_id === null) {
      await enqueueOne.execute(this.db, only);
      return;
    }
    for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
      await this.db.insertInto('outbound_queue').values(rows.slice(start, start + INSERT_CHUNK)).execute();
    }
    await this.holdRowsOfStoppedJobs(rows);
  }

  /** Rows enqueued for a bulk job that is not running (paused meanwhile) start out held. */
  private async holdRowsOfStoppedJobs(rows: OutboundQueueTable[]): Promise<void> {
    const jobs = [...new Set(rows.flatMap((row) => (row.bulk_job_id ? [row.bulk_job_id] : [])))];
    if (jobs.length === 0) return;
    await this.db
      .updateTable('outbound_queue')
      .set({ held: 1 })
      .where('bulk_job_id', 'in', jobs)
      .where('bulk_job_id', 'in', this.db.selectFrom('bulk_jobs').select('id').where('status', '<>', 'running'))
      .execute();
  }

  async next(sessionId: string, afterSeq?: string): Promise<QueuedSend | undefined> {
    const row = afterSeq === undefined
      ? await nextInQueue.executeTakeFirst(this.db, { sessionId })
      : await nextInQueueAfter.executeTakeFirst(this.db, { sessionId, afterSeq });
    return row && toQueued(row);
  }

  async markAttempt(sessionId: string, messageId: string, fence?: Fence): Promise<boolean> {
    if (!fence) return (await countAttempt.executeCount(this.db, { sessionId, messageId })) > 0;
    const counted = await fencedByDialect[this.dialect].countAttempt.executeCount(this.db, { sessionId, messageId, ...fence });
    return counted > 0 || this.unchangedBecauseGone(sessionId, messageId, fence);
  }

  async remove(sessionId: string, messageId: string, fence?: Fence): Promise<boolean> {
    if (!fence) return (await removeFromQueue.executeCount(this.db, { sessionId, messageId })) > 0;
    const removed = await fencedByDialect[this.dialect].remove.executeCount(this.db, { sessionId, messageId, ...fence });
    return removed > 0 || this.unchangedBecauseGone(sessionId, messageId, fence);
  }

  /** A fenced write changed nothing: false when the row is gone anyway, FencedWriteError when the lease moved on. */
  private async unchangedBecauseGone(sessionId: string, messageId: string, fence: Fence): Promise<false> {
    const row = await this.db.selectFrom('outbound_queue').select('seq').where('session_id', '=', sessionId).where('message_id', '=', messageId).executeTakeFirst();
    if (row) throw new FencedWriteError(sessionId, fence);
    return false;
  }

  async removeByJob(jobId: string): Promise<string[]> {
    const rows = await this.db.deleteFrom('outbound_queue').where('bulk_job_id', '=', jobId).returning('message_id').execute();
    return rows.map((row) => row.message_id);
  }

  async depth(sessionId: string): Promise<QueueDepth> {
    const row = await this.db
      .selectFrom('outbound_queue')
      .select((eb) => [eb.fn.countAll<number | string>().as('depth'), eb.fn.min('enqueued_at').as('oldest')])
      .where('session_id', '=', sessionId)
      .executeTakeFirst();
    const oldest = row?.oldest;
    return { depth: Number(row?.depth ?? 0), oldestEnqueuedAt: oldest === null || oldest === undefined ? null : toMillis(oldest) };
  }

  async sessionsWithWork(): Promise<string[]> {
    const rows = await this.db.selectFrom('outbound_queue').select('session_id').distinct().execute();
    return rows.map((row) => row.session_id);
  }

  async totals(): Promise<QueueDepth> {
    const row = await this.db
      .selectFrom('outbound_queue')
      .select((eb) => [eb.fn.countAll<number | string>().as('depth'), eb.fn.min('enqueued_at').as('oldest')])
      .executeTakeFirst();
    const oldest = row?.oldest;
    return { depth: Number(row?.depth ?? 0), oldestEnqueuedAt: oldest === null || oldest === undefined ? null : toMillis(oldest) };
  }
}
