/**
 * One serving process per SQLite data dir. Two processes on one data dir would both resume every
 * session — two logins of one WhatsApp device, which corrupts its Signal state. The lock is an
 * exclusive SQLite transaction held open on a small file beside the database: the operating system
 * drops it when the process ends, however it ends (even kill -9), so a stale lock cannot exist.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';

export const LOCK_FILE_NAME = 'wafleet.lock';

export class DataDirInUseError extends Error {
  constructor(readonly dataDir: string) {
    super(`Another wafleet process is serving the data dir ${dataDir}. Stop it first, or give this one its own WAFLEET_DATA_DIR (several nodes need PostgreSQL: DATABASE_URL).`);
    this.name = 'DataDirInUseError';
  }
}

/** Takes the data dir for this process; the returned function gives it back. */
export function lockDataDir(dataDir: string): () => void {
  // The data dir holds secrets: created private, like the database beside it.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, LOCK_FILE_NAME);
  closeSync(openSync(file, 'a', 0o600));
  const lock = new BetterSqlite3(file, { timeout: 0 });
  try {
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.exec('begin exclusive');
  } catch (error) {
    lock.close();
    if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) throw new DataDirInUseError(dataDir);
    throw error;
  }
  return () => {
    if (lock.open) lock.close();
  };
}
