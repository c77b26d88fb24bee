/**
 * Picks the driver from the configuration, opens the store and migrates it before returning.
 * PostgreSQL when databaseUrl is a postgres:// or postgresql:// URL; otherwise SQLite under dataDir.
 */
import { join } from 'node:path';
import type { Logger } from '../logging/logger.ts';
import type { Storage } from './ports.ts';
import { openPostgresStorage } from './postgres/open-postgres.ts';
import { openSqliteStorage } from './sqlite/open-sqlite.ts';
export { lockDataDir, DataDirInUseError } from './sqlite/process-lock.ts';
import { migrationsFor } from './shared/migrations/index.ts';

export const SQLITE_FILE_NAME = 'wafleet.db';

export interface CreateStorageOptions {
  /** DATABASE_URL. Anything other than a postgres URL (or nothing) selects SQLite. */
  databaseUrl?: string | undefined;
  /** WAFLEET_DATA_DIR: the SQLite file is `<dataDir>/wafleet.db`; the directory is created. */
  dataDir: string;
  /** PostgreSQL only: schema for all tables (created when missing). Default: the URL's search_path. */
  schema?: string | undefined;
  /** PostgreSQL only: the server itself when databaseUrl is a pooler (migrations, LISTEN). */
  directUrl?: string | undefined;
  logger?: Pick<Logger, 'info' | 'warn'> | undefined;
}

export interface MigrateResult {
  driver: Storage['driver'];
  /** Migrations applied by this call, in order; empty when the schema was already current. */
  applied: string[];
}

/** Every migration this version knows (a backup with others comes from a newer wafleet). */
export function migrationNames(): string[] {
  return Object.keys(migrationsFor('sqlite')).sort();
}

export function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(ql)?:\/\//i.test(url);
}

/** Where the store lives, for logs: never the URL itself (it may carry a password). */
function describe(options: CreateStorageOptions): Record<string, string> {
  if (!isPostgresUrl(options.databaseUrl)) return { driver: 'sqlite', file: join(options.dataDir, SQLITE_FILE_NAME) };
  const url = new URL(options.databaseUrl);
  return { driver: 'postgres', host: url.host, database: url.pathname.slice(1), schema: options.schema ?? 'default' };
}

async function open(options: CreateStorageOptions): Promise<{ storage: Storage; applied: string[] }> {
  const { storage, migrations } = isPostgresUrl(options.databaseUrl)
    ? await openPostgresStorage({
        url: options.databaseUrl,
        ...(options.schema !== undefined ? { schema: options.schema } : {}),
        onIdleError: (error) => options.logger?.warn({ err: error }, 'idle PostgreSQL connection failed; it will be replaced'),
        ...(options.directUrl !== undefined ? { directUrl: options.directUrl } : {}),
        onBusError: (error) => options.logger?.warn({ err: error }, 'cluster notifications (LISTEN) interrupted; reconnecting'),
      })
    : await openSqliteStorage({ file: join(options.dataDir, SQLITE_FILE_NAME), logger: options.logger });
  options.logger?.info({ ...describe(options), applied: migrations.applied }, 'storage ready');
  return { storage, applied: migrations.applied };
}

/** Opens the store with its schema up to date. The caller owns it and must close() it. */
export async function createStorage(options: CreateStorageOptions): Promise<Storage> {
  return (await open(options)).storage;
}

/** `wafleet migrate`: applies pending migrations (under the same lock as createStorage) and closes. */
export async function migrate(options: CreateStorageOptions): Promise<MigrateResult> {
  const { storage, applied } = await open(options);
  await storage.close();
  return { driver: storage.driver, applied };
}
