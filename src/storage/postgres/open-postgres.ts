/** PostgreSQL store: a pg pool wrapped by Kysely; migrations serialized by an advisory lock. */
import { Kysely, sql } from 'kysely';
import type { Storage } from '../ports.ts';
import type { Database } from '../shared/database.ts';
import { KyselyStorage } from '../shared/kysely-storage.ts';
import { runMigrations, type MigrationOutcome } from '../shared/migrate.ts';
import { WafleetPostgresDialect } from './pg-dialect.ts';
import { createPgPool } from './pg-pool.ts';
import { PgBus } from './pg-bus.ts';

export interface PostgresStorageOptions {
  /** postgres:// or postgresql:// URL. */
  url: string;
  /** Schema for every table (search_path of each pooled connection); created when missing. */
  schema?: string;
  /** Pool size (default 10, at least 2). */
  poolMax?: number;
  /** Told about errors of idle pooled connections; they are otherwise harmless (see pg-pool.ts). */
  onIdleError?: (error: Error) => void;
  /** PostgreSQL itself, not a pooler: LISTEN and migrations need a session of their own (default: url). */
  directUrl?: string;
  onBusError?: (error: Error) => void;
}

/** First half of the two-int advisory-lock key: "wafe" in ASCII, so other apps' keys differ. */
const LOCK_NAMESPACE = 0x77616665;

/**
 * Takes a session-level advisory lock keyed by the schema name on one connection, creates the
 * schema if needed and migrates. Two processes starting together queue on the lock; the second
 * finds the schema current and applies nothing. Kysely's Migrator also locks, but its table
 * bootstrap and "create schema" run before its lock, so they could race without this one.
 */
async function migrateUnderLock(db: Kysely<Database>, schema: string | undefined): Promise<MigrationOutcome> {
  return db.connection().execute(async (conn) => {
    const key = schema ?? '';
    await sql`select pg_advisory_lock(${sql.lit(LOCK_NAMESPACE)}, hashtext(${key}))`.execute(conn);
    try {
      if (schema !== undefined) await sql`create schema if not exists ${sql.id(schema)}`.execute(conn);
      const current = await sql<{ name: string | null }>`select current_schema() as name`.execute(conn);
      const migrationTableSchema = current.rows[0]?.name;
      if (!migrationTableSchema) throw new Error('PostgreSQL search_path names no existing schema');
      return await runMigrations(db, 'postgres', { migrationTableSchema });
    } finally {
      await sql`select pg_advisory_unlock(${sql.lit(LOCK_NAMESPACE)}, hashtext(${key}))`.execute(conn);
    }
  });
}

function openDatabase(options: PostgresStorageOptions): Kysely<Database> {
  const pool = createPgPool({
    url: options.url,
    ...(options.schema !== undefined ? { schema: options.schema } : {}),
    ...(options.poolMax !== undefined ? { max: options.poolMax } : {}),
    ...(options.onIdleError !== undefined ? { onIdleError: options.onIdleError } : {}),
  });
  return new Kysely<Database>({ dialect: new WafleetPostgresDialect({ pool }) });
}

/** Connects, creates the schema when asked, and brings it up to date. */
export async function openPostgresStorage(
  options: PostgresStorageOptions,
): Promise<{ storage: Storage; migrations: MigrationOutcome }> {
  const db = openDatabase(options);
  try {
    // Migrations hold a session-level advisory lock: through a transaction-mode pooler it would not hold.
    const migrations = options.directUrl && options.directUrl !== options.url
      ? await migrateDirectly({ ...options, url: options.directUrl })
      : await migrateUnderLock(db, options.schema);
    const bus = new PgBus({ db, listenUrl: options.directUrl ?? options.url, scope: options.schema ?? 'default', ...(options.onBusError ? { onError: options.onBusError } : {}) });
    return { storage: new KyselyStorage(db, 'postgres', undefined, bus), migrations };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}

async function migrateDirectly(options: PostgresStorageOptions): Promise<MigrationOutcome> {
  const direct = openDatabase(options);
  try {
    return await migrateUnderLock(direct, options.schema);
  } finally {
    await direct.destroy();
  }
}

/** Drops a schema and everything in it (test cleanup). */
export async function dropPostgresSchema(url: string, schema: string): Promise<void> {
  const db = openDatabase({ url });
  try {
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
  } finally {
    await db.destroy();
  }
}
