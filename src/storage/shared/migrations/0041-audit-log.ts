/** The audit log: append-only rows, read newest first by tenant, actor, action or resource. Append-only. */
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.ts';
import { columnTypes } from './column-types.ts';

export function auditLogSchema(dialect: Dialect): Migration {
  const t = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('audit_log')
        // ULID, compared byte-wise so that the cursor order is time order on both drivers.
        .addColumn('id', 'text', (col) => col.primaryKey().modifyEnd(t.binaryCollation))
        .addColumn('at', 'bigint', (col) => col.notNull())
        .addColumn('actor_type', 'text', (col) => col.notNull())
        .addColumn('actor_id', 'text')
        .addColumn('tenant_id', 'text')
        .addColumn('action', 'text', (col) => col.notNull())
        .addColumn('resource', 'text', (col) => col.modifyEnd(t.binaryCollation))
        .addColumn('result', 'text', (col) => col.notNull())
        .addColumn('status_code', 'integer', (col) => col.notNull())
        .addColumn('request_id', 'text')
        .addColumn('source_ip', 'text')
        .execute();
      await db.schema.createIndex('audit_log_tenant_idx').on('audit_log').columns(['tenant_id', 'id']).execute();
      await db.schema.createIndex('audit_log_actor_idx').on('audit_log').columns(['actor_id', 'id']).execute();
      await db.schema.createIndex('audit_log_at_idx').on('audit_log').column('at').execute();
    },
  };
}
