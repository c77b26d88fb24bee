/** Message analytics rollups: one row per session and hour, counters added as events happen. Append-only. */
import type { Kysely, Migration } from 'kysely';

export function messageStatsSchema(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const counter = (name: string) => (builder: ReturnType<typeof db.schema.createTable>) =>
        builder.addColumn(name, 'integer', (col) => col.notNull().defaultTo(0));
      let table = db.schema
        .createTable('message_stats')
        .addColumn('tenant_id', 'text', (col) => col.notNull())
        .addColumn('session_id', 'text', (col) => col.notNull())
        .addColumn('bucket_start', 'bigint', (col) => col.notNull());
      for (const name of ['sent', 'delivered', 'read', 'failed', 'received', 'webhook_ok', 'webhook_failed']) table = counter(name)(table);
      await table.addPrimaryKeyConstraint('message_stats_pk', ['session_id', 'bucket_start']).execute();
      await db.schema.createIndex('message_stats_tenant_idx').on('message_stats').columns(['tenant_id', 'bucket_start']).execute();
      await db.schema.createIndex('message_stats_bucket_idx').on('message_stats').column('bucket_start').execute();
    },
  };
}
