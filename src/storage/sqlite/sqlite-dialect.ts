/**
 * Kysely's SQLite dialect, changed where wafleet needs it:
 * - Transactions start with BEGIN IMMEDIATE. A deferred BEGIN takes the write lock only at the
 *   first write; if another process committed meanwhile, SQLite fails the upgrade at once with
 *   SQLITE_BUSY (busy_timeout does not help). IMMEDIATE waits for the lock up front, so busy_timeout
 *   applies. Every wafleet transaction writes, so nothing is lost by taking the lock early.
 * - The adapter admits that SQLite has transactional DDL: Kysely's Migrator then runs migrations
 *   inside one transaction, so a crash mid-migration leaves the previous schema, not half a new one.
 * - LIMIT and OFFSET go into the SQL as literals. SQLite (as better-sqlite3 builds it) re-prepares a
 *   statement each time a value is bound to a parameter its planner looked at, and it looks at
 *   LIMIT: `limit ?` cost 8–16 µs more per execution than `limit 1` (the send queue's head query
 *   took ≈ 95 µs in the loaded server). Only safe integers are inlined; anything else stays bound.
 * And one about durability: when whoever held the connection wrote (a transaction, or a single
 * INSERT/UPDATE/DELETE), the commit is noted for the WAL sync (wal-sync.ts) as the connection is
 * given back, so Storage.durable() knows there is something to flush, and for the checkpointer
 * (checkpointer.ts), which copies the WAL into the database from a worker thread.
 */
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  SqliteQueryCompiler,
  ValueNode,
  type LimitNode,
  type OffsetNode,
  type QueryCompiler,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type SqliteDialectConfig,
} from 'kysely';
import type { WalCheckpointer } from './checkpointer.ts';
import type { WalSync } from './wal-sync.ts';

class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class InlineLimitSqliteQueryCompiler extends SqliteQueryCompiler {
  protected override visitLimit(node: LimitNode): void {
    if (!this.appendLiteral('limit ', node.limit)) super.visitLimit(node);
  }

  protected override visitOffset(node: OffsetNode): void {
    if (!this.appendLiteral('offset ', node.offset)) super.visitOffset(node);
  }

  private appendLiteral(keyword: string, value: LimitNode['limit']): boolean {
    if (!ValueNode.is(value)) return false;
    const n = value.value;
    if (!(typeof n === 'number' && Number.isSafeInteger(n)) && typeof n !== 'bigint') return false;
    this.append(keyword + String(n));
    return true;
  }
}

const READ_ONLY = /^\s*select\b/i;

class WafleetSqliteDriver extends SqliteDriver {
  private wrote = false;
  private tracked: DatabaseConnection | undefined;

  private readonly walSync: WalSync | undefined;
  private readonly checkpointer: Pick<WalCheckpointer, 'noteCommit' | 'close'> | undefined;

  constructor(config: WafleetSqliteDialectConfig) {
    super(config);
    this.walSync = config.walSync;
    this.checkpointer = config.checkpointer;
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await super.acquireConnection();
    // One holder at a time (Kysely's mutex), so the flag belongs to the current holder.
    this.tracked ??= {
      executeQuery: <R>(query: CompiledQuery) => {
        if (!READ_ONLY.test(query.sql)) this.wrote = true;
        return connection.executeQuery<R>(query);
      },
      streamQuery: <R>(query: CompiledQuery, chunkSize?: number) => connection.streamQuery<R>(query, chunkSize),
    };
    return this.tracked;
  }

  override async releaseConnection(): Promise<void> {
    // Released after COMMIT (or an autocommitted statement), so the WAL holds the writes by now.
    if (this.wrote) {
      this.walSync?.noteCommit();
      this.checkpointer?.noteCommit();
    }
    this.wrote = false;
    await super.releaseConnection();
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  override async destroy(): Promise<void> {
    // The worker's connection goes first: the last connection to close checkpoints and removes the WAL.
    await this.checkpointer?.close();
    await super.destroy();
    await this.walSync?.close();
  }
}

export interface WafleetSqliteDialectConfig extends SqliteDialectConfig {
  /** Told of every commit, for Storage.durable(); without it, durability is SQLite's own synchronous setting. */
  walSync?: WalSync | undefined;
  /** Told of every commit, to checkpoint off the main thread (checkpointer.ts); closed first on destroy. */
  checkpointer?: Pick<WalCheckpointer, 'noteCommit' | 'close'> | undefined;
}

export class WafleetSqliteDialect extends SqliteDialect {
  private readonly driverConfig: WafleetSqliteDialectConfig;

  constructor(config: WafleetSqliteDialectConfig) {
    super(config);
    this.driverConfig = config;
  }

  override createDriver(): Driver {
    return new WafleetSqliteDriver(this.driverConfig);
  }

  override createQueryCompiler(): QueryCompiler {
    return new InlineLimitSqliteQueryCompiler();
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}
