import { test } from 'node:test';
import assert from 'node:assert/strict';
import BetterSqlite3 from 'better-sqlite3';
import { withStatementCache } from '../../src/storage/sqlite/statement-cache.ts';

test('statements are prepared once per SQL text, bounded, and still see schema changes', () => {
  const db = new BetterSqlite3(':memory:');
  let prepared = 0;
  const realPrepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => {
    prepared += 1;
    return realPrepare(sql);
  }) as typeof db.prepare;
  const cached = withStatementCache(db, 2);
  cached.prepare('create table t (a integer)').run([]);
  const insert = 'insert into t (a) values (?)';
  for (let i = 0; i < 5; i++) cached.prepare(insert).run([i]);
  assert.deepEqual(cached.prepare('select count(*) as n from t').all([]), [{ n: 5 }]);
  assert.equal(prepared, 3, 'one prepare per distinct SQL text');
  cached.prepare('select 1').all([]);
  cached.prepare(insert).run([9]);
  assert.equal(prepared, 5, 'the least recently used statement was evicted at the bound and prepared again');
  cached.prepare('alter table t add column b text').run([]);
  assert.deepEqual(cached.prepare('select * from t where a = ?').all([9]), [{ a: 9, b: null }]);
  cached.close();
});
