/**
 * Embedded store: one better-sqlite3 connection to a file, WAL journal, foreign keys enforced.
 *
 * One Storage per file per process. better-sqlite3 is synchronous: when a second connection in the
 * same process waits for the write lock (busy_timeout), it blocks the event loop, so the
 * transaction holding the lock can never finish. Separate processes are fine: they wait for each
 * other through busy_timeout and BEGIN IMMEDIATE (sqlite-dialect.ts).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely } from 'kysely';
import type { Storage } from '../ports.ts';
import type { Database } from '../shared/database.ts';
import { KyselyStorage } from '../shared/kysely-storage.ts';
import { runMigrations, type MigrationOutcome } from '../shared/migrate.ts';
import { WafleetSqliteDialect } from './sqlite-dialect.ts';
import { withStatementCache } from './statement-cache.ts';

export interface SqliteStorageOptions {
  /** Database file; its directory is created when missing. */
  file: string;
  /** How long a statement waits for another process's write lock before failing. */
  busyTimeoutMs?: number;
}

function openDatabase(options: SqliteStorageOptions): Kysely<Database> {
  mkdirSync(dirname(options.file), { recursive: true });
  const sqlite = new BetterSqlite3(options.file);
  try {
    // WAL: readers never block the writer and a crash cannot corrupt committed data.
    // synchronous stays at its default (FULL) so a commit survives power loss: an accepted send
    // must not be lost (ARCHITECTURE.md §1.2).
    sqlite.pragma('journal_mode = WAL');
    // Off by default in SQLite; the schema relies on it (auth_state cascades with its session).
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
  } catch (error) {
    sqlite.close();
    throw error;
  }
  return new Kysely<Database>({ dialect: new WafleetSqliteDialect({ database: withStatementCache(sqlite) }) });
}

/** Opens the file and brings its schema up to date. */
export async function openSqliteStorage(
  options: SqliteStorageOptions,
): Promise<{ storage: Storage; migrations: MigrationOutcome }> {
  const db = openDatabase(options);
  try {
    const migrations = await runMigrations(db, 'sqlite');
    return { storage: new KyselyStorage(db, 'sqlite'), migrations };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}
