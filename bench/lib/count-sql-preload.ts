/**
 * BENCH ONLY preload: counts the SQL statements better-sqlite3 executes (run/get/all/iterate, keyed
 * by SQL text) and the average time of each, and writes the tally to $BENCH_SQL_COUNT_FILE when the
 * process exits. Used to see how
 * many database round trips one API call or one Baileys event costs. Executions, not prepares, are
 * counted: the SQLite driver caches prepared statements.
 *   node --import tsx --import ./bench/lib/count-sql-preload.ts …
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

type Statement = { source: string } & Record<'run' | 'get' | 'all' | 'iterate', (...args: unknown[]) => unknown>;
const require = createRequire(import.meta.url);
const Database = require('better-sqlite3') as { prototype: { prepare(sql: string): Statement } };
const counts = new Map<string, number>();
/** Time spent inside each SQL text's executions (the native call: SQLite's own work), in ns. */
const nanos = new Map<string, bigint>();
/** Executions that took over 1 ms (a checkpoint inside a commit, a page cache miss) and their time. */
const slow = new Map<string, { count: number; nanos: bigint }>();
let statementPatched = false;
/** BENCH_SQL_STACKS=1 labels transactions (begin) with their callers; =all labels every statement. */
const withStacks = process.env.BENCH_SQL_STACKS === '1' || process.env.BENCH_SQL_STACKS === 'all';
const stacksOnEveryStatement = process.env.BENCH_SQL_STACKS === 'all';

function callersInSrc(): string {
  // wafleet's own frames: src/ under tsx, dist/ for the build that `npm start` and the benchmarks run.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40; // kysely's own frames come first
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  const frames = stack.split('\n').filter((line) => /\/(src|dist)\//.test(line) && !line.includes('node_modules'));
  return frames.slice(0, 4).map((line) => line.trim().replace(/^at /, '').replace(/\(?file:\/\/.*\/(src|dist)\//, '').replace(/\)$/, '')).join(' < ');
}

function countExecutions(proto: Statement): void {
  for (const method of ['run', 'get', 'all', 'iterate'] as const) {
    const original = proto[method];
    proto[method] = function (this: Statement, ...args: unknown[]) {
      let key = this.source.replace(/\s+/g, ' ').slice(0, 160);
      // BENCH_SQL_STACKS=1: transactions are told apart by who opened them (the first frames in src/).
      if (withStacks && (stacksOnEveryStatement || /^begin/i.test(key))) key += '  ← ' + callersInSrc();
      counts.set(key, (counts.get(key) ?? 0) + 1);
      const started = process.hrtime.bigint();
      try {
        return original.apply(this, args);
      } finally {
        const took = process.hrtime.bigint() - started;
        nanos.set(key, (nanos.get(key) ?? 0n) + took);
        if (took > 1_000_000n) {
          const entry = slow.get(key) ?? { count: 0, nanos: 0n };
          slow.set(key, { count: entry.count + 1, nanos: entry.nanos + took });
        }
      }
    };
  }
}

const prepare = Database.prototype.prepare;
Database.prototype.prepare = function (this: unknown, sql: string) {
  const statement = prepare.call(this, sql);
  if (!statementPatched) {
    statementPatched = true;
    countExecutions(Object.getPrototypeOf(statement) as Statement);
  }
  return statement;
};
const file = process.env.BENCH_SQL_COUNT_FILE;
if (file) {
  process.on('exit', () => {
    const rows = [...counts].sort((a, b) => b[1] - a[1]).map(([sql, n]) => {
      const averageUs = Number(nanos.get(sql) ?? 0n) / n / 1000;
      const over = slow.get(sql);
      const overText = over ? `${over.count} over 1 ms (${(Number(over.nanos) / 1e6).toFixed(1)} ms)` : '';
      return `${String(n).padStart(7)}  ${averageUs.toFixed(1).padStart(7)} µs  ${overText.padEnd(26)}  ${sql}`;
    });
    writeFileSync(file, rows.join('\n') + '\n');
  });
}
