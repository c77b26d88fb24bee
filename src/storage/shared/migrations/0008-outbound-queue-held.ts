/**
 * The send queue's head without walking past a paused bulk job. The head query read the session's
 * rows in FIFO order and skipped those of bulk jobs that are not running, so a paused job of 10,000
 * messages made every other send of the session read 10,000 rows, twice per message. Now a job's
 * rows are marked held while it is not running (bulkJobs.setStatus), and the head comes from a
 * partial index of the rows that are not held; it replaces the (session, seq) index.
 * Append-only, like every migration.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export function outboundQueueHeldSchema(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('outbound_queue').addColumn('held', 'integer', (col) => col.notNull().defaultTo(0)).execute();
      await sql`update outbound_queue set held = 1 where bulk_job_id in (select id from bulk_jobs where status <> 'running')`.execute(db);
      await db.schema
        .createIndex('outbound_queue_ready_idx')
        .on('outbound_queue')
        .columns(['session_id', 'seq'])
        .where(sql<boolean>`held = 0`)
        .execute();
      await db.schema.dropIndex('outbound_queue_fifo_idx').execute();
    },
  };
}
