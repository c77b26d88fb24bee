import { sql } from 'kysely';
import type { Fence } from '../../domain/cluster.ts';
import { FencedWriteError, type AuthStateRepository, type AuthStateWrite } from '../ports.ts';
import { atomically } from './atomically.ts';
import type { AuthStateTable, Db, Dialect } from './database.ts';
import { assertFence, leaseHeldBy } from './fencing.ts';
import { ReusableQuery } from './reusable-query.ts';

/** Rows per statement (4 parameters each): well inside both drivers' parameter limits. */
export const AUTH_STATE_CHUNK = 500;

/**
 * Last write per (category, keyId) wins, as if applied in order. Also required by PostgreSQL:
 * one INSERT … ON CONFLICT DO UPDATE must not touch the same row twice.
 */
function lastWritePerKey(writes: AuthStateWrite[]): AuthStateWrite[] {
  const byKey = new Map<string, AuthStateWrite>();
  for (const write of writes) {
    const key = JSON.stringify([write.category, write.keyId]);
    byKey.delete(key); // re-insert so the Map keeps the order of last writes
    byKey.set(key, write);
  }
  return [...byKey.values()];
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}

/** Rows inserted, or their value replaced when the key exists. */
const upsertRows = (db: Db, rows: AuthStateTable | AuthStateTable[]) =>
  db
    .insertInto('auth_state')
    .values(rows)
    .onConflict((oc) => oc.columns(['session_id', 'category', 'key_id']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })));

const upsertOne = new ReusableQuery(['session_id', 'category', 'key_id', 'value'], (db: Db, row: AuthStateTable) => upsertRows(db, row));

type FencedRow = AuthStateTable & { holder: string; epoch: number };

/**
 * The owner's common write in one statement with its fencing check: the row goes in only while the
 * lease holds (INSERT … SELECT … WHERE), so a stale owner changes nothing and costs no extra round trip.
 * PostgreSQL types the selected parameters itself only with casts.
 */
function fencedUpsertOne(dialect: Dialect): ReusableQuery<FencedRow, unknown> {
  const text = (value: string) => (dialect === 'postgres' ? sql<string>`cast(${value} as text)` : sql<string>`${value}`);
  const bytes = (value: Buffer) => (dialect === 'postgres' ? sql<Buffer>`cast(${value} as bytea)` : sql<Buffer>`${value}`);
  return new ReusableQuery(['session_id', 'category', 'key_id', 'value', 'holder', 'epoch'], (db: Db, p: FencedRow) =>
    db
      .insertInto('auth_state')
      .columns(['session_id', 'category', 'key_id', 'value'])
      .expression(
        db
          .selectNoFrom([text(p.session_id).as('session_id'), text(p.category).as('category'), text(p.key_id).as('key_id'), bytes(p.value).as('value')])
          .where(leaseHeldBy(dialect, p.session_id, { holder: p.holder, epoch: p.epoch })),
      )
      .onConflict((oc) => oc.columns(['session_id', 'category', 'key_id']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') }))),
  );
}
const fencedUpsertByDialect = { sqlite: fencedUpsertOne('sqlite'), postgres: fencedUpsertOne('postgres') };

export class KyselyAuthStateRepository implements AuthStateRepository {
  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
  ) {}

  async get(sessionId: string, category: string, keyIds: string[]): Promise<Map<string, Buffer>> {
    const found = new Map<string, Buffer>();
    for (const ids of chunks([...new Set(keyIds)], AUTH_STATE_CHUNK)) {
      const rows = await this.db
        .selectFrom('auth_state')
        .select(['key_id', 'value'])
        .where('session_id', '=', sessionId)
        .where('category', '=', category)
        .where('key_id', 'in', ids)
        .execute();
      for (const row of rows) found.set(row.key_id, Buffer.from(row.value));
    }
    return found;
  }

  async write(sessionId: string, writes: AuthStateWrite[], fence?: Fence): Promise<void> {
    const effective = lastWritePerKey(writes);
    if (effective.length === 0) return;
    const [only] = effective;
    if (effective.length === 1 && only?.value) {
      // The common case, a Signal session after each message: one statement is atomic by itself,
      // so no transaction around it (on PostgreSQL that saves two round trips per message).
      const row = { session_id: sessionId, category: only.category, key_id: only.keyId, value: only.value };
      if (!fence) {
        await upsertOne.execute(this.db, row);
        return;
      }
      const written = await fencedUpsertByDialect[this.dialect].executeCount(this.db, { ...row, ...fence });
      if (written === 0) throw new FencedWriteError(sessionId, fence);
      return;
    }
    await atomically(this.db, async (db) => {
      if (fence) await assertFence(db, this.dialect, sessionId, fence);
      await this.apply(db, sessionId, effective);
    });
  }

  private async apply(db: Db, sessionId: string, writes: AuthStateWrite[]): Promise<void> {
    const deletes = writes.filter((write) => write.value === null);
    const upserts = writes.flatMap((write) =>
      write.value === null
        ? []
        : [{ session_id: sessionId, category: write.category, key_id: write.keyId, value: write.value }],
    );
    for (const batch of chunks(deletes, AUTH_STATE_CHUNK)) {
      await db
        .deleteFrom('auth_state')
        .where('session_id', '=', sessionId)
        .where((eb) =>
          eb.or(batch.map((write) => eb.and([eb('category', '=', write.category), eb('key_id', '=', write.keyId)]))),
        )
        .execute();
    }
    for (const batch of chunks(upserts, AUTH_STATE_CHUNK)) {
      await upsertRows(db, batch).execute();
    }
  }

  async clear(sessionId: string, fence?: Fence): Promise<void> {
    await atomically(this.db, async (db) => {
      if (fence) await assertFence(db, this.dialect, sessionId, fence);
      await db.deleteFrom('auth_state').where('session_id', '=', sessionId).execute();
    });
  }

  async dump(sessionId: string): Promise<Array<{ category: string; keyId: string; value: Buffer }>> {
    const rows = await this.db
      .selectFrom('auth_state')
      .select(['category', 'key_id', 'value'])
      .where('session_id', '=', sessionId)
      .orderBy('category')
      .orderBy('key_id')
      .execute();
    return rows.map((row) => ({ category: row.category, keyId: row.key_id, value: Buffer.from(row.value) }));
  }
}
