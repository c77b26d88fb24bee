import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import type { Db } from '../../src/storage/shared/database.ts';
import { ReusableQuery } from '../../src/storage/shared/reusable-query.ts';

function memoryDb(): Db {
  const db = new Kysely<never>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) }) as unknown as Db;
  return db;
}

test('a reusable query runs its one compiled SQL with each call’s values, constants kept, in and out of transactions', async () => {
  const db = memoryDb();
  await sql`create table chats (session_id text, chat_id text, name text, last_message_at integer, last_message_id text)`.execute(db);
  const insert = new ReusableQuery(['session_id', 'chat_id', 'name'], (q: Db, p: { session_id: string; chat_id: string; name: string | null }) =>
    q.insertInto('chats').values({ ...p, last_message_at: 7, last_message_id: null }),
  );
  const byChat = new ReusableQuery(['chat_id'], (q: Db, p: { chat_id: string }) => q.selectFrom('chats').select(['session_id', 'name', 'last_message_at']).where('chat_id', '=', p.chat_id));

  assert.equal(await insert.executeCount(db, { session_id: 's1', chat_id: 'a', name: 'Ann' }), 1);
  await db.transaction().execute((trx) => insert.execute(trx, { session_id: 's2', chat_id: 'b', name: null }));
  assert.deepEqual(await byChat.execute(db, { chat_id: 'a' }), [{ session_id: 's1', name: 'Ann', last_message_at: 7 }]);
  assert.deepEqual(await byChat.executeTakeFirst(db, { chat_id: 'b' }), { session_id: 's2', name: null, last_message_at: 7 });
  assert.equal(await byChat.executeTakeFirst(db, { chat_id: 'zzz' }), undefined);
  await db.destroy();
});

test('a query that does not bind one of its named values is refused when first run, naming it', async () => {
  const db = memoryDb();
  const inlined = new ReusableQuery(['chat_id', 'limit'], (q: Db, p: { chat_id: string; limit: number }) =>
    q.selectFrom('chats').selectAll().where('chat_id', '=', p.chat_id).limit(sql.lit(5)),
  );
  await assert.rejects(inlined.execute(db, { chat_id: 'a', limit: 5 }), /must bind limit as parameters/);
  await db.destroy();
});
