/**
 * Kysely's SQLite dialect with two changes, both about concurrent writers:
 * - Transactions start with BEGIN IMMEDIATE. A deferred BEGIN takes the write lock only at the
 *   first write; if another process committed meanwhile, SQLite fails the upgrade at once with
 *   SQLITE_BUSY (busy_timeout does not help). IMMEDIATE waits for the lock up front, so busy_timeout
 *   applies. Every wafleet transaction writes, so nothing is lost by taking the lock early.
 * - The adapter admits that SQLite has transactional DDL: Kysely's Migrator then runs migrations
 *   inside one transaction, so a crash mid-migration leaves the previous schema, not half a new one.
 */
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type SqliteDialectConfig,
} from 'kysely';

class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class ImmediateTransactionSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

export class WafleetSqliteDialect extends SqliteDialect {
  private readonly driverConfig: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.driverConfig = config;
  }

  override createDriver(): Driver {
    return new ImmediateTransactionSqliteDriver(this.driverConfig);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}
