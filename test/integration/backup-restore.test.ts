/**
 * `wafleet backup` / `wafleet restore` as an operator runs them (the compiled CLI): an online SQLite
 * backup while wafleet writes, a restore into a fresh data dir that checks the master key first,
 * refusals that change nothing, and pg_dump / pg_restore on PostgreSQL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { compiledMain } from '../helpers/wafleet-process.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { createCipher } from '../../src/security/cipher.ts';
import { toolOrSkip } from '../helpers/system-tools.ts';

const MAIN = compiledMain();
const PG_URL = process.env.WAFLEET_TEST_PG_URL;

function cli(env: Record<string, string>, ...args: string[]) {
  return spawnSync(process.execPath, [MAIN, ...args], { env: { PATH: process.env.PATH, WAFLEET_LOG_LEVEL: 'warn', ...env }, encoding: 'utf8', timeout: 60_000 });
}

/** A tenant, a session and a sealed auth-state row, as a paired session leaves them. */
async function seed(app: TestApp, key: Buffer): Promise<void> {
  const tenantKey = await app.tenantWithKey('acme');
  const created = await app.request({ method: 'POST', url: '/v1/sessions', key: tenantKey, payload: { id: 'kept', engine: 'fake' } });
  assert.equal(created.statusCode, 201, created.body);
  const address = { sessionId: 'kept', category: 'creds', keyId: 'creds' };
  await app.wafleet.storage.authState.write('kept', [{ ...address, value: createCipher(key).encrypt(address, Buffer.from('{"me":"15550000001"}')) }]);
}

test('SQLite: an online backup, restored into a new data dir once the master key is there', { timeout: 240_000 }, async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'wafleet-backup-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const masterKey = randomBytes(32);
  const source = join(work, 'source');
  const app = await createTestApp({ masterKey: masterKey.toString('base64'), enableFakeEngine: true }, source);
  t.after(() => app.close());
  await seed(app, masterKey);

  const backup = join(work, 'wafleet.backup');
  const made = cli({ WAFLEET_DATA_DIR: source }, 'backup', '--out', backup);
  assert.equal(made.status, 0, made.stderr);
  assert.match(made.stdout, /sqlite: backup written to .*wafleet\.backup, \d+ pages \(SQLite online backup\)/);
  assert.match(made.stdout, /keep the master key/);
  assert.equal(cli({ WAFLEET_DATA_DIR: source }, 'backup', '--out', backup).status, 1, 'never overwrites a file');

  const target = join(work, 'target');
  const withoutKey = cli({ WAFLEET_DATA_DIR: target }, 'restore', '--from', backup);
  assert.equal(withoutKey.status, 1);
  assert.match(withoutKey.stderr, /put its master\.key into .*target or set WAFLEET_MASTER_KEY/);
  const wrongKey = cli({ WAFLEET_DATA_DIR: target, WAFLEET_MASTER_KEY: randomBytes(32).toString('base64') }, 'restore', '--from', backup);
  assert.equal(wrongKey.status, 1);
  assert.match(wrongKey.stderr, /does not open the backup's auth state/);
  assert.ok(!existsSync(join(target, 'wafleet.db')), 'refusals change nothing');

  const env = { WAFLEET_DATA_DIR: target, WAFLEET_MASTER_KEY: masterKey.toString('base64') };
  const restored = cli(env, 'restore', '--from', backup);
  assert.equal(restored.status, 0, restored.stderr);
  assert.match(restored.stdout, /\(1 session\(s\)\)/);
  assert.match(cli(env, 'sessions', 'list').stdout, /kept\tacme\tfake\tSTOPPED/);
  const again = cli(env, 'restore', '--from', backup);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /pass --force/);
  assert.equal(cli(env, 'restore', '--from', backup, '--force').status, 0);

  const copy = await createTestApp({ masterKey: masterKey.toString('base64'), enableFakeEngine: true }, target);
  try {
    const [row] = await copy.wafleet.storage.authState.dump('kept');
    assert.equal(createCipher(masterKey).decrypt({ sessionId: 'kept', category: 'creds', keyId: 'creds' }, row!.value).toString(), '{"me":"15550000001"}');
  } finally {
    await copy.close();
  }

  const junk = join(work, 'junk.backup');
  writeFileSync(junk, 'not a database at all, just text');
  const refused = cli({ WAFLEET_DATA_DIR: join(work, 'other') }, 'restore', '--from', junk);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /is not an intact SQLite database|not a wafleet backup/);
});

test('PostgreSQL: pg_dump backup and pg_restore of the schema', { timeout: 240_000 }, async (t) => {
  if (!PG_URL) return t.skip('WAFLEET_TEST_PG_URL not set');
  if (!toolOrSkip(t, 'pg_dump', 'postgresql-client')) return;
  const work = mkdtempSync(join(tmpdir(), 'wafleet-pgbackup-'));
  const schema = `wafleet_backup_${randomBytes(4).toString('hex')}`;
  const masterKey = randomBytes(32);
  const drop = async () => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.end();
  };
  t.after(async () => {
    await drop();
    rmSync(work, { recursive: true, force: true });
  });
  const settings = { databaseUrl: PG_URL, databaseSchema: schema, masterKey: masterKey.toString('base64'), enableFakeEngine: true };
  const app = await createTestApp(settings);
  await seed(app, masterKey);
  await app.close();

  const env = { DATABASE_URL: PG_URL, WAFLEET_DATABASE_SCHEMA: schema, WAFLEET_MASTER_KEY: masterKey.toString('base64'), WAFLEET_DATA_DIR: work };
  const backup = join(work, 'wafleet.dump');
  const made = cli(env, 'backup', '--out', backup);
  assert.equal(made.status, 0, made.stderr);
  assert.match(made.stdout, new RegExp(`postgres: backup written to .*, schema ${schema} \\(pg_dump custom format\\)`));

  await drop();
  const refused = cli(env, 'restore', '--from', backup);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /stop every wafleet node and pass --force/);
  const restored = cli(env, 'restore', '--from', backup, '--force');
  assert.equal(restored.status, 0, restored.stderr);
  assert.match(cli(env, 'sessions', 'list').stdout, /kept\tacme\tfake\tSTOPPED/);
});
