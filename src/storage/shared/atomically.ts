import type { Db } from './database.ts';

/** Runs fn inside the caller's transaction when there is one, else in a transaction of its own. */
export function atomically<T>(db: Db, fn: (db: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}
