import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WalSync, walFileOf, type WalFile } from '../../src/storage/sqlite/wal-sync.ts';
import { openSqliteStorage } from '../../src/storage/sqlite/open-sqlite.ts';

/** A WAL file whose syncs finish only when the test says so. */
function manualWal() {
  const pending: Array<{ resolve(): void; reject(error: Error): void }> = [];
  const file: WalFile = {
    datasync: () => new Promise<void>((resolve, reject) => pending.push({ resolve, reject })),
    close: async () => undefined,
  };
  return { file, pending };
}

const settledFlags = (promises: Array<Promise<unknown>>) => {
  const flags = promises.map(() => false);
  promises.forEach((p, i) => void p.then(() => (flags[i] = true), () => (flags[i] = true)));
  return flags;
};
const turn = () => new Promise((resolve) => setImmediate(resolve));

test('writes that finish while a sync runs share the next one, and nobody is told early', async () => {
  const { file, pending } = manualWal();
  const wal = new WalSync(file);
  const first = wal.sync();
  const later = [wal.sync(), wal.sync(), wal.sync()];
  const flags = settledFlags([first, ...later]);
  assert.equal(pending.length, 1, 'one sync at a time');

  pending[0]!.resolve();
  await turn();
  assert.deepEqual(flags, [true, false, false, false], 'the later writes may postdate the first sync');
  assert.equal(pending.length, 2, 'one more sync for all three');

  pending[1]!.resolve();
  await turn();
  assert.deepEqual(flags, [true, true, true, true]);
});

test('a failed sync fails the writes waiting for it, and the next one is tried afresh', async () => {
  const { file, pending } = manualWal();
  const wal = new WalSync(file);
  const failing = wal.sync();
  pending[0]!.reject(new Error('EIO'));
  await assert.rejects(failing, /EIO/);
  const next = wal.sync();
  assert.equal(pending.length, 2);
  pending[1]!.resolve();
  await next;
});

test('durable() waits only when a commit is not yet covered by a finished sync', async () => {
  const { file, pending } = manualWal();
  const wal = new WalSync(file);
  await wal.durable();
  assert.equal(pending.length, 0, 'nothing committed: nothing to flush');
  wal.noteCommit();
  const first = wal.durable();
  wal.noteCommit(); // committed while the first sync runs: that sync may not hold it
  const second = wal.durable();
  const flags = settledFlags([first, second]);
  pending[0]!.resolve();
  await turn();
  assert.deepEqual(flags, [true, false]);
  pending[1]!.resolve();
  await turn();
  assert.deepEqual(flags, [true, true]);
  await wal.durable();
  assert.equal(pending.length, 2, 'both commits are covered: no third sync');
});


test('durable(mark) waits for the commits before the mark only, not for bookkeeping written after it', async () => {
  const { file, pending } = manualWal();
  const wal = new WalSync(file);
  wal.noteCommit(); // the event about to be announced
  const flushing = wal.durable();
  wal.noteCommit(); // committed while that sync runs
  const mark = wal.mark();
  wal.noteCommit(); // the announcer's own bookkeeping, after the mark
  const announced = wal.durable(mark);
  const everything = wal.durable();
  const flags = settledFlags([flushing, announced, everything]);
  pending[0]!.resolve();
  await turn();
  assert.deepEqual(flags, [true, false, false], 'the commit before the mark may postdate the first sync');
  assert.equal(pending.length, 2);
  pending[1]!.resolve();
  await turn();
  assert.deepEqual(flags, [true, true, true]);
  wal.noteCommit();
  await wal.durable(mark);
  assert.equal(pending.length, 2, 'a mark already covered needs no sync, whatever came after it');
});
test('on a real database: durable() flushes the WAL holding what was committed; reads leave nothing to flush', async () => {
  const root = await mkdtemp(join(tmpdir(), 'wafleet-walsync-'));
  const dbFile = join(root, 'wafleet.db');
  const real = walFileOf(dbFile);
  const log: string[] = [];
  const spy: WalFile = {
    async datasync() {
      const size = await stat(`${dbFile}-wal`).then((s) => s.size, () => 0);
      log.push(`sync start (wal ${size > 0 ? 'written' : 'empty'})`);
      await real.datasync();
      log.push('sync done');
    },
    close: () => real.close(),
  };
  try {
    const { storage } = await openSqliteStorage({ file: dbFile, walFile: spy });
    log.length = 0; // migrations wrote too
    await storage.durable(); // what the migrations wrote
    log.length = 0;
    await storage.transaction(async (repos) => {
      await repos.tenants.create({ id: 'acme', name: 'Acme', maxSessions: 5, createdAt: 1 });
    });
    assert.equal(log.length, 0, 'the commit itself does not wait for the disk');
    await storage.durable();
    log.push('durable');
    assert.deepEqual(log, ['sync start (wal written)', 'sync done', 'durable']);

    log.length = 0;
    await storage.tenants.create({ id: 'beta', name: 'Beta', maxSessions: 5, createdAt: 2 });
    await storage.durable();
    assert.deepEqual(log, ['sync start (wal written)', 'sync done'], 'a single statement outside a transaction too');

    log.length = 0;
    assert.equal((await storage.tenants.get('acme'))?.name, 'Acme');
    await storage.durable();
    assert.equal(log.length, 0, 'a read leaves nothing to flush');
    await storage.close();
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
