/**
 * The outbound pipeline: the durable send queue, idempotency keys and bulk send jobs.
 * Queue rows hold everything needed to send later (the resolved content, media bytes included),
 * so any node that owns the session can send them after a crash. Append-only, like every migration.
 */
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.ts';
import { columnTypes } from './column-types.ts';

export function outboundSchema(dialect: Dialect): Migration {
  const types = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('outbound_queue')
        .addColumn('session_id', 'text', (col) => col.notNull().references('sessions.id').onDelete('cascade'))
        .addColumn('message_id', 'text', (col) => col.notNull())
        .addColumn('tenant_id', 'text', (col) => col.notNull())
        // ULID: FIFO order within a session, byte-wise on both drivers.
        .addColumn('seq', 'text', (col) => col.notNull().modifyEnd(types.binaryCollation))
        .addColumn('chat_id', 'text', (col) => col.notNull())
        // JSON of the OutboundMessage; media bytes as base64 inside.
        .addColumn('payload', 'text', (col) => col.notNull())
        .addColumn('bulk_job_id', 'text')
        .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
        .addColumn('enqueued_at', 'bigint', (col) => col.notNull())
        .addPrimaryKeyConstraint('outbound_queue_pk', ['session_id', 'message_id'])
        .execute();
      await db.schema.createIndex('outbound_queue_fifo_idx').on('outbound_queue').columns(['session_id', 'seq']).execute();
      await db.schema.createIndex('outbound_queue_job_idx').on('outbound_queue').columns(['bulk_job_id']).execute();

      await db.schema
        .createTable('idempotency_keys')
        .addColumn('scope', 'text', (col) => col.notNull())
        .addColumn('key', 'text', (col) => col.notNull())
        .addColumn('request_hash', 'text', (col) => col.notNull())
        .addColumn('session_id', 'text', (col) => col.notNull())
        .addColumn('result_id', 'text', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addPrimaryKeyConstraint('idempotency_keys_pk', ['scope', 'key'])
        .execute();
      await db.schema.createIndex('idempotency_keys_age_idx').on('idempotency_keys').columns(['created_at']).execute();

      await db.schema
        .createTable('bulk_jobs')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('tenant_id', 'text', (col) => col.notNull())
        .addColumn('session_id', 'text', (col) => col.notNull().references('sessions.id').onDelete('cascade'))
        .addColumn('status', 'text', (col) => col.notNull())
        .addColumn('total', 'integer', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .execute();
      await db.schema.createIndex('bulk_jobs_session_idx').on('bulk_jobs').columns(['session_id', 'created_at']).execute();

      await db.schema
        .createTable('bulk_items')
        .addColumn('job_id', 'text', (col) => col.notNull().references('bulk_jobs.id').onDelete('cascade'))
        .addColumn('idx', 'integer', (col) => col.notNull())
        .addColumn('recipient', 'text', (col) => col.notNull())
        .addColumn('message_id', 'text', (col) => col.notNull())
        .addPrimaryKeyConstraint('bulk_items_pk', ['job_id', 'idx'])
        .execute();
    },
  };
}
