/**
 * `wafleet backup` / `restore` on SQLite. The backup goes through SQLite's online backup API
 * (better-sqlite3 `backup()`), so it is consistent while wafleet keeps writing. A restore checks the
 * file first (integrity, wafleet's migrations) and swaps it in whole: copy next to the target, then
 * rename over it, with the old WAL and shared-memory files removed.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';

export interface SqliteBackupInfo {
  migrations: string[];
  sessions: number;
  /** One sealed auth-state value, to check the master key before restoring. */
  authStateSample: { sessionId: string; category: string; keyId: string; value: Buffer } | undefined;
}

export async function backupSqliteFile(file: string, out: string): Promise<{ pages: number }> {
  if (!existsSync(file)) throw new Error(`there is no wafleet database at ${file} (check WAFLEET_DATA_DIR)`);
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    const { totalPages } = await db.backup(out);
    return { pages: totalPages };
  } finally {
    db.close();
  }
}

/** Throws with a message for the operator when the file is not an intact wafleet database. */
export function inspectSqliteBackup(file: string): SqliteBackupInfo {
  let db: BetterSqlite3.Database;
  try {
    db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new Error(`${file} cannot be opened: ${(error as Error).message}`);
  }
  try {
    const check = (() => {
      try {
        return db.pragma('quick_check', { simple: true });
      } catch {
        return 'not a database';
      }
    })();
    if (check !== 'ok') throw new Error(`${file} is not an intact SQLite database (${String(check)})`);
    const tables = new Set((db.prepare(`select name from sqlite_master where type = 'table'`).all() as Array<{ name: string }>).map((row) => row.name));
    if (!tables.has('kysely_migration') || !tables.has('sessions') || !tables.has('auth_state')) throw new Error(`${file} is not a wafleet backup (no wafleet tables in it)`);
    const migrations = (db.prepare('select name from kysely_migration order by name').all() as Array<{ name: string }>).map((row) => row.name);
    const sessions = (db.prepare('select count(*) as n from sessions').get() as { n: number }).n;
    const sample = db.prepare('select session_id, category, key_id, value from auth_state limit 1').get() as { session_id: string; category: string; key_id: string; value: Buffer } | undefined;
    return { migrations, sessions, authStateSample: sample && { sessionId: sample.session_id, category: sample.category, keyId: sample.key_id, value: Buffer.from(sample.value) } };
  } finally {
    db.close();
  }
}

export async function restoreSqliteFile(from: string, target: string): Promise<void> {
  const temp = `${target}.restoring`;
  rmSync(temp, { force: true });
  const source = new BetterSqlite3(from, { readonly: true, fileMustExist: true });
  try {
    await source.backup(temp);
  } finally {
    source.close();
  }
  for (const stale of [`${target}-wal`, `${target}-shm`]) rmSync(stale, { force: true });
  renameSync(temp, target);
}
