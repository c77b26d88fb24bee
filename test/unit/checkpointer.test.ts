import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { WalCheckpointer } from '../../src/storage/sqlite/checkpointer.ts';
import { openSqliteStorage } from '../../src/storage/sqlite/open-sqlite.ts';

const PAGE = 4096;

function tempFile(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'wafleet-checkpoint-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'db.sqlite');
}

/** A WAL database with automatic checkpoints off, as open-sqlite.ts leaves the main connection. */
function mainConnection(file: string): BetterSqlite3.Database {
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('wal_autocheckpoint = 0');
  db.exec('create table notes (id integer primary key, body text not null)');
  return db;
}

const size = (path: string) => (existsSync(path) ? statSync(path).size : 0);

test('the worker copies the WAL into the database file; the main connection never checkpoints', async (t) => {
  const file = tempFile(t);
  const db = mainConnection(file);
  const unavailable: Error[] = [];
  const checkpointer = new WalCheckpointer({
    file, busyTimeoutMs: 1000, everyCommits: 50, quietMs: 10,
    checkpointOnMain: async () => void db.pragma('wal_checkpoint(PASSIVE)'),
    onUnavailable: (error) => unavailable.push(error),
  });
  const databaseBefore = size(file);
  const insert = db.prepare('insert into notes (body) values (?)');
  for (let i = 0; i < 400; i++) {
    insert.run('x'.repeat(2000)); // about one page per commit
    checkpointer.noteCommit();
    if (i % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
  }
  await checkpointer.idle();
  assert.deepEqual(unavailable, []);
  assert.ok(checkpointer.completed >= 1, `checkpoints done: ${checkpointer.completed}`);
  // Only a checkpoint writes table pages into the database file itself (commits go to the WAL).
  assert.ok(size(file) > databaseBefore + 200 * PAGE, `database file grew from ${databaseBefore} to ${size(file)} bytes`);

  await checkpointer.close();
  db.close();
  assert.equal(existsSync(`${file}-wal`), false, 'the worker closed its connection first: the last close removed the WAL');
  const reopened = new BetterSqlite3(file, { readonly: true });
  assert.equal((reopened.prepare('select count(*) as n from notes').get() as { n: number }).n, 400);
  reopened.close();
});

test('a worker that cannot start hands checkpoints back to SQLite once, and nothing else breaks', async (t) => {
  const file = tempFile(t);
  const db = mainConnection(file);
  const unavailable: Error[] = [];
  const checkpointer = new WalCheckpointer({
    file, busyTimeoutMs: 1000, everyCommits: 1,
    workerSource: `throw new Error('no driver here')`,
    checkpointOnMain: async () => undefined,
    onUnavailable: (error) => unavailable.push(error),
  });
  checkpointer.noteCommit();
  await checkpointer.idle();
  await new Promise((resolve) => setTimeout(resolve, 200)); // the worker's start fails asynchronously
  checkpointer.noteCommit();
  checkpointer.noteCommit();
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(unavailable.length, 1, unavailable.map((e) => e.message).join('; '));
  await checkpointer.close();
  db.close();
});

test('under a steady stream of writes the WAL starts over instead of growing without end', async (t) => {
  const file = tempFile(t);
  const restartFrames = 300;
  const { storage } = await openSqliteStorage({ file, checkpointer: { everyCommits: 20, quietMs: 10, restartFrames } });
  t.after(() => storage.close());
  await storage.tenants.create({ id: 't1', name: 'Tenant', maxSessions: 10, createdAt: 1 });
  const append = (i: number) => storage.events.append([{ id: `01J${String(i).padStart(23, '0')}`, tenantId: 't1', sessionId: null, type: 'x', timestamp: i, payload: { pad: 'p'.repeat(3000) } }]);
  for (let i = 0; i < 40; i++) await append(i); // the worker starts with the first checkpoint
  await new Promise((resolve) => setTimeout(resolve, 500));
  let largestWal = 0;
  // ≈ 3 pages per commit: about 10× restartFrames in total, written without a pause.
  for (let i = 40; i < 1040; i++) {
    await append(i);
    largestWal = Math.max(largestWal, size(`${file}-wal`));
    await new Promise((resolve) => setImmediate(resolve)); // a server goes back to its event loop between requests
  }
  const written = (await storage.events.list({ tenantId: 't1', limit: 2000 })).length;
  assert.equal(written, 1040);
  assert.ok(largestWal < 4 * restartFrames * PAGE, `largest WAL ${largestWal} bytes; without restarts it would pass ${10 * restartFrames * PAGE}`);
});
