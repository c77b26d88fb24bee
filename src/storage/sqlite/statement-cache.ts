/**
 * Kysely asks better-sqlite3 to prepare every statement anew; preparing is ~10% of wafleet's CPU on
 * hot paths (bench:send profile). wafleet issues a small, fixed set of SQL texts, so prepared
 * statements are kept by SQL text (LRU, bounded). SQLite re-prepares a cached statement by itself
 * when the schema changes, and Kysely runs one query at a time per connection, so sharing is safe.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

export function withStatementCache(db: BetterSqlite3.Database, maxStatements = 500): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => db.close(),
    prepare(sql: string): SqliteStatement {
      const cached = cache.get(sql);
      if (cached) {
        // Re-insert so the Map's order is least recently used first.
        cache.delete(sql);
        cache.set(sql, cached);
        return cached;
      }
      const statement = db.prepare(sql) as unknown as SqliteStatement;
      cache.set(sql, statement);
      if (cache.size > maxStatements) cache.delete(cache.keys().next().value as string);
      return statement;
    },
  };
}
