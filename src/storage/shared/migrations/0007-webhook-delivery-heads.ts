/**
 * The unfinished deliveries only, in group order: the webhook claim reads the head of every
 * (webhook, session) group from it — the earliest unfinished delivery, the only one that may go —
 * instead of testing every due row for an unfinished predecessor. With a backlog of N deliveries on
 * one session that test read all N rows on every dispatcher round. Partial, so finished deliveries
 * (kept until retention) do not count. Append-only, like every migration.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export function webhookDeliveryHeadsSchema(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createIndex('webhook_deliveries_heads_idx')
        .on('webhook_deliveries')
        .columns(['webhook_id', 'order_key', 'event_id'])
        .where(sql<boolean>`status in ('pending', 'delivering')`)
        .execute();
    },
  };
}
