/**
 * Embedded store: one better-sqlite3 connection to a file, WAL journal, foreign keys enforced.
 *
 * One Storage per file per process. better-sqlite3 is synchronous: when a second connection in the
 * same process waits for the write lock (busy_timeout), it blocks the event loop, so the
 * transaction holding the lock can never finish. Separate processes are fine: they wait for each
 * other through busy_timeout and BEGIN IMMEDIATE (sqlite-dialect.ts).
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, Kysely } from 'kysely';
import type { Logger } from '../../logging/logger.ts';
import type { Storage } from '../ports.ts';
import type { Database } from '../shared/database.ts';
import { KyselyStorage } from '../shared/kysely-storage.ts';
import { runMigrations, type MigrationOutcome } from '../shared/migrate.ts';
import { WafleetSqliteDialect } from './sqlite-dialect.ts';
import { withStatementCache } from './statement-cache.ts';
import { WalCheckpointer, type CheckpointerOptions } from './checkpointer.ts';
import { WalSync, walFileOf, type WalFile } from './wal-sync.ts';

export interface SqliteStorageOptions {
  /** Database file; its directory is created when missing. */
  file: string;
  /** How long a statement waits for another process's write lock before failing. */
  busyTimeoutMs?: number;
  /** The WAL file to flush after writes; tests pass a spy around walFileOf(file). */
  walFile?: WalFile;
  /** Tests: how often the worker checkpoints, or a worker that fails. */
  checkpointer?: Pick<CheckpointerOptions, 'everyCommits' | 'quietMs' | 'restartFrames' | 'workerSource'>;
  logger?: Pick<Logger, 'warn'> | undefined;
}

/** SQLite's own default, for when checkpoints go back into commits. */
const SQLITE_AUTOCHECKPOINT_PAGES = 1000;

/** WAL checkpoints in a worker thread (checkpointer.ts), SQLite's own inside commits only as a fallback. */
function startCheckpointer(sqlite: BetterSqlite3.Database, options: SqliteStorageOptions, busyTimeoutMs: number, db: () => Kysely<Database>): WalCheckpointer {
  sqlite.pragma('wal_autocheckpoint = 0');
  return new WalCheckpointer({
    ...options.checkpointer,
    file: options.file,
    busyTimeoutMs,
    checkpointOnMain: async () => {
      await db().executeQuery(CompiledQuery.raw('pragma wal_checkpoint(PASSIVE)'));
    },
    onUnavailable: (error) => {
      if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
      options.logger?.warn({ err: error }, 'SQLite checkpoints run inside commits again: the checkpoint worker failed');
    },
  });
}

/**
 * The directory 0700 and the file 0600 when they are new: SQLite gives the -wal and -shm files the
 * mode of the database file, so creating it first, empty, covers all three.
 */
function createPrivately(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

function openDatabase(options: SqliteStorageOptions): { db: Kysely<Database>; walSync: WalSync } {
  createPrivately(options.file);
  const sqlite = new BetterSqlite3(options.file);
  const busyTimeoutMs = Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000));
  let checkpointer: WalCheckpointer | undefined;
  try {
    // WAL: readers never block the writer and a crash cannot corrupt committed data.
    sqlite.pragma('journal_mode = WAL');
    // What wafleet tells the outside world must survive power loss (an accepted send must not be
    // lost, ARCHITECTURE.md §1.2): Storage.durable() flushes the WAL off the main thread for that
    // (wal-sync.ts), so SQLite itself does not fsync on each commit. Set explicitly: better-sqlite3
    // builds SQLite with DEFAULT_WAL_SYNCHRONOUS=1, which turns a WAL database to NORMAL anyway.
    sqlite.pragma('synchronous = NORMAL');
    // Off by default in SQLite; the schema relies on it (auth_state cascades with its session).
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma(`busy_timeout = ${busyTimeoutMs}`);
    checkpointer = startCheckpointer(sqlite, options, busyTimeoutMs, () => db);
  } catch (error) {
    sqlite.close();
    throw error;
  }
  const walSync = new WalSync(options.walFile ?? walFileOf(options.file));
  const db: Kysely<Database> = new Kysely<Database>({ dialect: new WafleetSqliteDialect({ database: withStatementCache(sqlite), walSync, checkpointer }) });
  return { db, walSync };
}

/** Opens the file and brings its schema up to date. */
export async function openSqliteStorage(
  options: SqliteStorageOptions,
): Promise<{ storage: Storage; migrations: MigrationOutcome }> {
  const { db, walSync } = openDatabase(options);
  try {
    const migrations = await runMigrations(db, 'sqlite');
    return { storage: new KyselyStorage(db, 'sqlite', walSync), migrations };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}
