/** Runs the in-code migrations with Kysely's Migrator. Driver-specific locking wraps this call. */
import { Migrator } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database, Dialect } from './database.ts';
import { StaticMigrationProvider } from './migrations/index.ts';

export interface MigrationOutcome {
  /** Names of the migrations this run applied (empty when the schema was already current). */
  applied: string[];
}

export interface RunMigrationsOptions {
  /**
   * Schema holding kysely_migration tables on PostgreSQL. Must be the schema the tables go to:
   * without it Kysely's "does the table exist" check matches the table in ANY schema.
   */
  migrationTableSchema?: string;
}

export async function runMigrations(
  db: Kysely<Database>,
  dialect: Dialect,
  options: RunMigrationsOptions = {},
): Promise<MigrationOutcome> {
  const migrator = new Migrator({
    db,
    provider: new StaticMigrationProvider(dialect),
    ...(options.migrationTableSchema ? { migrationTableSchema: options.migrationTableSchema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === 'Error');
  if (error !== undefined || failed) {
    const cause = error instanceof Error ? error : new Error(String(error ?? 'unknown error'));
    throw new Error(`Database migration ${failed ? `"${failed.migrationName}" ` : ''}failed: ${cause.message}`, { cause });
  }
  return { applied: (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName) };
}
