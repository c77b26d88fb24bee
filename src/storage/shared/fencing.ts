/**
 * The fencing check every write of a session's owner carries (ARCHITECTURE.md §1.1, §8): the lease
 * still has this process's epoch. On PostgreSQL the lease row is share-locked for the rest of the
 * transaction, so a takeover (which updates the row) waits for the write to commit and then bumps
 * the epoch: a write lands before the takeover or not at all. SQLite runs one writer at a time.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Fence } from '../../domain/cluster.ts';
import { FencedWriteError } from '../ports.ts';
import type { Db, Dialect } from './database.ts';

export function leaseHeldBy(dialect: Dialect, sessionId: string, fence: Fence): RawBuilder<boolean> {
  const lock = dialect === 'postgres' ? sql` for share` : sql``;
  return sql<boolean>`exists (select 1 from session_leases as fence_lease
    where fence_lease.session_id = ${sessionId} and fence_lease.holder = ${fence.holder} and fence_lease.epoch = ${fence.epoch}${lock})`;
}

/** Throws FencedWriteError unless `fence` is the session's current lease (locking it as above). */
export async function assertFence(db: Db, dialect: Dialect, sessionId: string, fence: Fence): Promise<void> {
  const { rows } = await sql<{ held: unknown }>`select 1 as held where ${leaseHeldBy(dialect, sessionId, fence)}`.execute(db);
  if (rows.length === 0) throw new FencedWriteError(sessionId, fence);
}

/** The database clock in epoch ms, as an SQL expression. */
export function databaseNow(dialect: Dialect): RawBuilder<number> {
  return dialect === 'postgres'
    ? sql<number>`cast(floor(extract(epoch from clock_timestamp()) * 1000) as bigint)`
    : sql<number>`cast(unixepoch('subsec') * 1000 as integer)`;
}
