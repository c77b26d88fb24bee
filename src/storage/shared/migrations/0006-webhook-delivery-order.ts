/**
 * The per-(webhook, session) ordering check looks for an unfinished earlier delivery; with status in
 * the index it is two short index probes instead of a walk over every finished delivery of the
 * session. Replaces webhook_deliveries_order_idx. Append-only, like every migration.
 */
import type { Kysely, Migration } from 'kysely';

export function webhookDeliveryOrderSchema(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createIndex('webhook_deliveries_unfinished_idx')
        .on('webhook_deliveries')
        .columns(['webhook_id', 'order_key', 'status', 'event_id'])
        .execute();
      await db.schema.dropIndex('webhook_deliveries_order_idx').execute();
    },
  };
}
