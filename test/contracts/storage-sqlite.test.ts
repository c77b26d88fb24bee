/** Storage contract on SQLite: every test gets a fresh temporary data directory. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { createStorage, SQLITE_FILE_NAME } from '../../src/storage/create-storage.ts';
import { registerStorageContract } from './storage.contract.ts';

registerStorageContract({
  driver: 'sqlite',
  async newTarget() {
    const root = await mkdtemp(join(tmpdir(), 'wafleet-storage-'));
    // A directory that does not exist yet: createStorage must create it.
    return { options: { dataDir: join(root, 'nested', 'data') }, drop: () => rm(root, { recursive: true, force: true }) };
  },
});

describe('sqlite specifics', () => {
  test('the file is <dataDir>/wafleet.db, in WAL mode', async () => {
    const root = await mkdtemp(join(tmpdir(), 'wafleet-storage-'));
    try {
      const dataDir = join(root, 'data');
      const storage = await createStorage({ dataDir });
      await storage.close();
      const file = join(dataDir, SQLITE_FILE_NAME);
      const raw = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
      try {
        // journal_mode=WAL is stored in the file, so a fresh connection reports it.
        assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
      } finally {
        raw.close();
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
