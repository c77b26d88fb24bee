/**
 * BENCH ONLY "what if" preload: after wafleet switches SQLite to WAL, also set synchronous = NORMAL
 * (a commit no longer waits for fsync; survives a process crash, not a power loss). wafleet keeps
 * FULL on purpose; this measures what that durability costs per message.
 *   node --import tsx --import ./bench/lib/sqlite-normal-preload.ts …
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Database = require('better-sqlite3') as { prototype: { pragma(source: string, options?: unknown): unknown } };
const pragma = Database.prototype.pragma;
Database.prototype.pragma = function (this: unknown, source: string, options?: unknown) {
  const result = pragma.call(this, source, options);
  if (/^\s*journal_mode\s*=\s*WAL\s*$/i.test(source)) pragma.call(this, 'synchronous = NORMAL');
  return result;
};
