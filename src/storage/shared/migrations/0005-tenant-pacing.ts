/** Pacing defaults per tenant (between the configured defaults and a session's own override). Append-only. */
import type { Kysely, Migration } from 'kysely';

export function tenantPacingSchema(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('tenant_pacing')
        .addColumn('tenant_id', 'text', (col) => col.primaryKey().references('tenants.id').onDelete('cascade'))
        // JSON object of PacingRules fields (all optional).
        .addColumn('pacing', 'text', (col) => col.notNull())
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .execute();
    },
  };
}
