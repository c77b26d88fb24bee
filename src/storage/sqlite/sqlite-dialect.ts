/**
 * Kysely's SQLite dialect with one change: SQLite does support transactional DDL, and saying so
 * makes Kysely's Migrator run each migration batch inside BEGIN…COMMIT. A crash mid-migration then
 * leaves the previous schema, not half of the new one.
 */
import { SqliteAdapter, SqliteDialect, type DialectAdapter } from 'kysely';

class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

export class WafleetSqliteDialect extends SqliteDialect {
  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}
