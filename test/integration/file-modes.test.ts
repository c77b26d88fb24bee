/** The data directory and what wafleet writes in it are for its own user; wider modes are reported at start. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ADMIN_KEY } from '../helpers/test-app.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { createWafleet } from '../../src/wafleet.ts';

const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8);

async function start(dataDir: string): Promise<{ close: () => Promise<void>; warnings: () => string[] }> {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk: Buffer, _encoding, done) { lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)); done(); } });
  const config = loadConfig({ WAFLEET_ADMIN_KEY: ADMIN_KEY }, { dataDir, engineLogLevel: 'silent' });
  const wafleet = await createWafleet(config, { logger: createLogger('warn', sink) });
  await wafleet.app.inject({ method: 'POST', url: '/v1/tenants', headers: { authorization: `Bearer ${ADMIN_KEY}` }, payload: { id: 'acme' } });
  return { close: () => wafleet.close(), warnings: () => lines.map((line) => (JSON.parse(line) as { msg: string }).msg).filter((msg) => /other local users/.test(msg)) };
}

test('file modes: a new data dir is 0700, the database, its WAL files and the master key 0600; wider modes are reported', { skip: process.platform === 'win32' && 'no POSIX modes' }, async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'wafleet-modes-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const dataDir = join(root, 'data');
  const first = await start(dataDir);
  assert.equal(modeOf(dataDir), '700');
  for (const name of ['wafleet.db', 'wafleet.db-wal', 'wafleet.db-shm', 'master.key']) assert.equal(modeOf(join(dataDir, name)), '600', name);
  assert.deepEqual(first.warnings(), [], 'nothing to report on a fresh start');
  await first.close();

  // As an earlier version (or a careless copy) left them.
  chmodSync(dataDir, 0o755);
  chmodSync(join(dataDir, 'wafleet.db'), 0o644);
  chmodSync(join(dataDir, 'master.key'), 0o640);
  const second = await start(dataDir);
  t.after(() => second.close());
  const warnings = second.warnings();
  // SQLite made the new -wal and -shm files with the database file's mode: reported as well.
  assert.equal(warnings.length, 5, warnings.join('\n'));
  assert.ok(warnings.some((w) => w.includes(`${dataDir} (mode 755); fix with: chmod 700 ${dataDir}`)));
  assert.ok(warnings.some((w) => w.includes(`wafleet.db (mode 644); fix with: chmod 600 ${join(dataDir, 'wafleet.db')}`)));
  assert.ok(warnings.some((w) => w.includes('master.key (mode 640)')));
  assert.ok(warnings.some((w) => w.includes('wafleet.db-wal (mode 644)')) && warnings.some((w) => w.includes('wafleet.db-shm (mode 644)')));
});
