/**
 * The cluster's tables (ARCHITECTURE.md §8): nodes with their heartbeat, one lease row per session
 * with its fencing token, node stats samples, the node that claimed a webhook delivery, and a
 * session's placement constraints. Append-only, like every migration.
 *
 * A lease row is never deleted while its session exists: releasing one clears its owner and keeps
 * its epoch, so a session's fencing token only ever grows.
 */
import type { Kysely, Migration } from 'kysely';

export function clusterSchema(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('nodes')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('url', 'text', (col) => col.notNull())
        // The process holding this node id now; a restart gets a new one.
        .addColumn('instance', 'text', (col) => col.notNull())
        .addColumn('state', 'text', (col) => col.notNull())
        .addColumn('version', 'text', (col) => col.notNull())
        .addColumn('started_at', 'bigint', (col) => col.notNull())
        .addColumn('heartbeat_at', 'bigint', (col) => col.notNull())
        .addColumn('capacity', 'integer')
        .addColumn('weight', 'integer', (col) => col.notNull())
        .addColumn('tags', 'text', (col) => col.notNull())
        .addColumn('stats', 'text', (col) => col.notNull())
        .execute();

      await db.schema
        .createTable('session_leases')
        .addColumn('session_id', 'text', (col) => col.primaryKey().references('sessions.id').onDelete('cascade'))
        .addColumn('node_id', 'text')
        // The process of node_id that runs it; null while it is assigned but not started yet.
        .addColumn('holder', 'text')
        .addColumn('epoch', 'bigint', (col) => col.notNull())
        .addColumn('expires_at', 'bigint', (col) => col.notNull())
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .execute();
      await db.schema.createIndex('session_leases_node_idx').on('session_leases').columns(['node_id', 'expires_at']).execute();

      await db.schema
        .createTable('node_stats')
        .addColumn('node_id', 'text', (col) => col.notNull())
        .addColumn('at', 'bigint', (col) => col.notNull())
        .addColumn('stats', 'text', (col) => col.notNull())
        .addPrimaryKeyConstraint('node_stats_pk', ['node_id', 'at'])
        .execute();
      await db.schema.createIndex('node_stats_at_idx').on('node_stats').column('at').execute();

      await db.schema.alterTable('webhook_deliveries').addColumn('claimed_by', 'text').execute();
      // JSON placement constraints ({ node?, tags? }) or null.
      await db.schema.alterTable('sessions').addColumn('placement', 'text').execute();
    },
  };
}
