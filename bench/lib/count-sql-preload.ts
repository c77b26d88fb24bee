/**
 * BENCH ONLY preload: counts the SQL statements better-sqlite3 prepares (Kysely prepares one per
 * query), and writes the tally to $BENCH_SQL_COUNT_FILE when the process exits. Used to see how many
 * database round trips one API call or one Baileys event costs.
 *   node --import tsx --import ./bench/lib/count-sql-preload.ts …
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Database = require('better-sqlite3') as { prototype: { prepare(sql: string): unknown } };
const counts = new Map<string, number>();
const prepare = Database.prototype.prepare;
Database.prototype.prepare = function (this: unknown, sql: string) {
  const key = sql.replace(/\s+/g, ' ').slice(0, 160);
  counts.set(key, (counts.get(key) ?? 0) + 1);
  return prepare.call(this, sql);
};
const file = process.env.BENCH_SQL_COUNT_FILE;
if (file) {
  process.on('exit', () => {
    const rows = [...counts].sort((a, b) => b[1] - a[1]).map(([sql, n]) => `${String(n).padStart(7)}  ${sql}`);
    writeFileSync(file, rows.join('\n') + '\n');
  });
}
