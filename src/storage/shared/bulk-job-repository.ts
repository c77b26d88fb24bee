import type { MessageStatus } from '../../domain/messages.ts';
import type { BulkItemRecord, BulkItemResult, BulkJobRecord, BulkJobRepository, BulkJobStatus } from '../outbound-ports.ts';
import { atomically } from './atomically.ts';
import type { Db } from './database.ts';
import { toMillis } from './json.ts';
import type { BulkJobsTable } from './outbound-tables.ts';

const INSERT_CHUNK = 500;

function toJob(row: BulkJobsTable): BulkJobRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    sessionId: row.session_id,
    status: row.status as BulkJobStatus,
    total: Number(row.total),
    createdAt: toMillis(row.created_at),
    updatedAt: toMillis(row.updated_at),
  };
}

export class KyselyBulkJobRepository implements BulkJobRepository {
  constructor(private readonly db: Db) {}

  async create(job: BulkJobRecord, items: BulkItemRecord[]): Promise<void> {
    await this.db
      .insertInto('bulk_jobs')
      .values({ id: job.id, tenant_id: job.tenantId, session_id: job.sessionId, status: job.status, total: job.total, created_at: job.createdAt, updated_at: job.updatedAt })
      .execute();
    const rows = items.map((item) => ({ job_id: item.jobId, idx: item.index, recipient: item.recipient, message_id: item.messageId }));
    for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
      await this.db.insertInto('bulk_items').values(rows.slice(start, start + INSERT_CHUNK)).execute();
    }
  }

  async get(id: string): Promise<BulkJobRecord | undefined> {
    const row = await this.db.selectFrom('bulk_jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toJob(row);
  }

  async listBySession(sessionId: string, limit: number): Promise<BulkJobRecord[]> {
    const rows = await this.db.selectFrom('bulk_jobs').selectAll().where('session_id', '=', sessionId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toJob);
  }

  /** The job's queued messages are held while it is not running, together with the status change. */
  async setStatus(id: string, status: BulkJobStatus, at: number): Promise<boolean> {
    const apply = async (db: Db) => {
      const result = await db.updateTable('bulk_jobs').set({ status, updated_at: at }).where('id', '=', id).executeTakeFirst();
      await db.updateTable('outbound_queue').set({ held: status === 'running' ? 0 : 1 }).where('bulk_job_id', '=', id).execute();
      return result.numUpdatedRows > 0n;
    };
    return atomically(this.db, apply);
  }

  async items(jobId: string, limit: number, offset: number): Promise<BulkItemResult[]> {
    const rows = await this.db
      .selectFrom('bulk_items as i')
      .innerJoin('bulk_jobs as j', 'j.id', 'i.job_id')
      .leftJoin('messages as m', (join) => join.onRef('m.session_id', '=', 'j.session_id').onRef('m.id', '=', 'i.message_id'))
      .select(['i.job_id', 'i.idx', 'i.recipient', 'i.message_id', 'm.status', 'm.status_reason'])
      .where('i.job_id', '=', jobId)
      .orderBy('i.idx')
      .limit(limit)
      .offset(offset)
      .execute();
    return rows.map((row) => ({
      jobId: row.job_id,
      index: Number(row.idx),
      recipient: row.recipient,
      messageId: row.message_id,
      status: (row.status ?? 'failed') as MessageStatus,
      statusReason: row.status ? row.status_reason : 'message no longer stored',
    }));
  }

  async progress(jobId: string): Promise<Partial<Record<MessageStatus, number>>> {
    const rows = await this.db
      .selectFrom('bulk_items as i')
      .innerJoin('bulk_jobs as j', 'j.id', 'i.job_id')
      .innerJoin('messages as m', (join) => join.onRef('m.session_id', '=', 'j.session_id').onRef('m.id', '=', 'i.message_id'))
      .select((eb) => ['m.status', eb.fn.countAll<number | string>().as('count')])
      .where('i.job_id', '=', jobId)
      .groupBy('m.status')
      .execute();
    const progress: Partial<Record<MessageStatus, number>> = {};
    for (const row of rows) progress[row.status as MessageStatus] = Number(row.count);
    return progress;
  }
}
