/**
 * BENCH ONLY preload for the compiled wafleet: counts the statements this process sends to
 * PostgreSQL (every pg Client.query: pooled queries, transactions' BEGIN/COMMIT, LISTEN), by SQL
 * text, and rewrites $BENCH_PG_COUNT_FILE with the running totals every second (and at exit), so a
 * benchmark can take deltas over a window without asking the process anything.
 *   node --import ./bench/lib/count-pg-preload.mjs dist/main.js serve
 * Plain JavaScript like bench-preload.mjs: no transpiler in the measured process.
 */
import { writeFileSync } from 'node:fs';
import pg from 'pg';

const file = process.env.BENCH_PG_COUNT_FILE;
if (file) {
  /** SQL text (whitespace folded, first 200 characters) → executions. */
  const counts = new Map();
  let total = 0;
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (config, ...rest) {
    const text = typeof config === 'string' ? config : config?.text;
    if (typeof text === 'string') {
      const key = text.replace(/\s+/g, ' ').trim().slice(0, 200);
      counts.set(key, (counts.get(key) ?? 0) + 1);
      total += 1;
    }
    return query.call(this, config, ...rest);
  };
  const flush = () => writeFileSync(file, JSON.stringify({ at: Date.now(), total, bySql: Object.fromEntries(counts) }));
  setInterval(flush, 1000).unref();
  process.on('exit', flush);
}
