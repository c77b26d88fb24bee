/**
 * Webhooks, their deliveries (the durable delivery log) and outbox cursors. Append-only.
 * Deliveries do not reference events by foreign key: events and delivery logs are pruned on their own
 * schedules, and a delivery whose event is gone is reported, not cascaded away.
 */
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.ts';
import { columnTypes } from './column-types.ts';

export function webhooksSchema(dialect: Dialect): Migration {
  const t = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('webhooks')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('tenant_id', 'text', (col) => col.references('tenants.id').onDelete('cascade'))
        .addColumn('session_id', 'text', (col) => col.references('sessions.id').onDelete('cascade'))
        .addColumn('url', 'text', (col) => col.notNull())
        .addColumn('events', 'text', (col) => col.notNull())
        .addColumn('headers', 'text', (col) => col.notNull())
        .addColumn('secret', 'text', (col) => col.notNull())
        .addColumn('enabled', 'integer', (col) => col.notNull())
        .addColumn('description', 'text')
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .execute();
      await db.schema.createIndex('webhooks_tenant_idx').on('webhooks').columns(['tenant_id', 'created_at']).execute();
      await db.schema.createIndex('webhooks_session_idx').on('webhooks').column('session_id').execute();

      await db.schema
        .createTable('webhook_deliveries')
        .addColumn('id', 'text', (col) => col.primaryKey().modifyEnd(t.binaryCollation))
        .addColumn('webhook_id', 'text', (col) => col.notNull().references('webhooks.id').onDelete('cascade'))
        .addColumn('event_id', 'text', (col) => col.notNull().modifyEnd(t.binaryCollation))
        .addColumn('event_type', 'text', (col) => col.notNull())
        .addColumn('tenant_id', 'text', (col) => col.notNull())
        .addColumn('order_key', 'text', (col) => col.notNull())
        .addColumn('status', 'text', (col) => col.notNull())
        .addColumn('attempts', 'integer', (col) => col.notNull())
        .addColumn('next_attempt_at', 'bigint', (col) => col.notNull())
        .addColumn('window_started_at', 'bigint', (col) => col.notNull())
        .addColumn('last_attempt_at', 'bigint')
        .addColumn('last_status_code', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('last_latency_ms', 'integer')
        .addColumn('delivered_at', 'bigint')
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .addUniqueConstraint('webhook_deliveries_event_uq', ['webhook_id', 'event_id'])
        .execute();
      // Due work: pending rows by next attempt.
      await db.schema.createIndex('webhook_deliveries_due_idx').on('webhook_deliveries').columns(['status', 'next_attempt_at']).execute();
      // Ordering check: the earliest unfinished delivery of (webhook, session).
      await db.schema.createIndex('webhook_deliveries_order_idx').on('webhook_deliveries').columns(['webhook_id', 'order_key', 'event_id']).execute();
      // Pending-event check during event pruning.
      await db.schema.createIndex('webhook_deliveries_event_idx').on('webhook_deliveries').columns(['event_id']).execute();
      // Tenant-wide dead-letter listing and log pruning.
      await db.schema.createIndex('webhook_deliveries_tenant_idx').on('webhook_deliveries').columns(['tenant_id', 'status', 'id']).execute();
      await db.schema.createIndex('webhook_deliveries_updated_idx').on('webhook_deliveries').columns(['updated_at']).execute();

      await db.schema
        .createTable('outbox_cursors')
        .addColumn('name', 'text', (col) => col.primaryKey())
        .addColumn('event_id', 'text', (col) => col.notNull())
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .execute();
    },
  };
}
