/**
 * A tenant being deleted carries its deletion request (JSON: when, logout or not, who asked), set
 * before anything is removed and cleared only with the tenant row itself: a process that dies half
 * way finds it at start-up and finishes the job. Append-only, like every migration.
 */
import type { Kysely, Migration } from 'kysely';

export function tenantDeletionSchema(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('tenants').addColumn('deletion', 'text').execute();
    },
  };
}
