/** Storage contract on SQLite: every test gets a fresh temporary data directory. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerStorageContract } from './storage.contract.ts';

registerStorageContract({
  driver: 'sqlite',
  async newTarget() {
    const root = await mkdtemp(join(tmpdir(), 'wafleet-storage-'));
    // A directory that does not exist yet: createStorage must create it.
    return { options: { dataDir: join(root, 'nested', 'data') }, drop: () => rm(root, { recursive: true, force: true }) };
  },
});
