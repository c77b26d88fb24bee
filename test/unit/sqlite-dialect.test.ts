import { test } from 'node:test';
import assert from 'node:assert/strict';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { WafleetSqliteDialect } from '../../src/storage/sqlite/sqlite-dialect.ts';

interface Db {
  items: { id: number; name: string };
}

test('LIMIT and OFFSET are written into the SQL (a bound LIMIT makes SQLite re-prepare on every run)', async () => {
  const db = new Kysely<Db>({ dialect: new WafleetSqliteDialect({ database: new BetterSqlite3(':memory:') }) });
  try {
    await db.schema.createTable('items').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('name', 'text').execute();
    await db.insertInto('items').values([1, 2, 3, 4, 5].map((id) => ({ id, name: `n${id}` }))).execute();

    const page = db.selectFrom('items').select('id').where('name', '!=', 'n1').orderBy('id').limit(2).offset(1);
    const compiled = page.compile();
    assert.match(compiled.sql, /limit 2 offset 1$/);
    assert.deepEqual(compiled.parameters, ['n1'], 'only the WHERE value stays a parameter');
    assert.deepEqual((await page.execute()).map((r) => r.id), [3, 4]);

    // Anything but an integer value is left to the driver to bind.
    const expression = db.selectFrom('items').select('id').orderBy('id').limit(sql<number>`1 + 1`).compile();
    assert.match(expression.sql, /limit 1 \+ 1$/);
    const bound = db.selectFrom('items').select('id').limit('2' as unknown as number).compile();
    assert.match(bound.sql, /limit \?$/);
  } finally {
    await db.destroy();
  }
});
