import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMasterKey, parseMasterKey } from '../../src/security/master-key.ts';
import { ConfigError } from '../../src/config/config.ts';

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'wafleet-master-key-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function assertNamesVariable(error: unknown, secretText?: string): true {
  assert.ok(error instanceof ConfigError);
  assert.equal(error.variable.startsWith('WAFLEET_MASTER_KEY'), true);
  assert.match(error.message, /WAFLEET_MASTER_KEY/);
  if (secretText) assert.ok(!error.message.includes(secretText), 'the message never echoes the value');
  return true;
}

test('a base64 value of 32 bytes is the key (standard, URL-safe, surrounding whitespace)', () => {
  const key = randomBytes(32);
  assert.deepEqual(parseMasterKey(key.toString('base64')), key);
  assert.deepEqual(parseMasterKey(key.toString('base64url')), key);
  assert.deepEqual(parseMasterKey(`  ${key.toString('base64')}\n`), key);
});

test('a wrong length or non-base64 value is refused with a message naming WAFLEET_MASTER_KEY', () => {
  const bad = [randomBytes(16).toString('base64'), randomBytes(33).toString('base64'), 'not base64 at all!', randomBytes(32).toString('hex')];
  for (const value of bad) assert.throws(() => parseMasterKey(value), (error) => assertNamesVariable(error, value));
});

test('the env value wins and nothing is written to the data directory', async () => {
  await withTempDir(async (dir) => {
    const key = randomBytes(32);
    const loaded = await loadMasterKey({ envValue: key.toString('base64'), dataDir: dir });
    assert.deepEqual(loaded.key, key);
    assert.equal(loaded.source, 'env');
    assert.equal(loaded.generated, false);
    await assert.rejects(stat(join(dir, 'master.key')));
    await assert.rejects(loadMasterKey({ envValue: 'short', dataDir: dir }), (error) => assertNamesVariable(error, 'short'));
  });
});

test('embedded mode without a key generates master.key (0600) once, then reuses it', async () => {
  await withTempDir(async (parent) => {
    const dir = join(parent, 'data'); // does not exist yet: created on first start
    const first = await loadMasterKey({ envValue: undefined, dataDir: dir });
    assert.equal(first.generated, true);
    assert.equal(first.source, 'file');
    assert.equal(first.path, join(dir, 'master.key'));
    assert.equal(first.key.length, 32);
    assert.equal((await stat(join(dir, 'master.key'))).mode & 0o777, 0o600);
    assert.deepEqual(parseMasterKey(await readFile(join(dir, 'master.key'), 'utf8')), first.key);

    const second = await loadMasterKey({ envValue: '', dataDir: dir });
    assert.equal(second.generated, false);
    assert.deepEqual(second.key, first.key);
  });
});

test('two processes starting at once end up with one key', async () => {
  await withTempDir(async (dir) => {
    const results = await Promise.all(Array.from({ length: 8 }, () => loadMasterKey({ envValue: undefined, dataDir: dir })));
    assert.equal(results.filter((r) => r.generated).length, 1);
    for (const r of results) assert.deepEqual(r.key, results[0]?.key);
  });
});

test('a damaged key file is refused naming the variable and the file', async () => {
  await withTempDir(async (dir) => {
    await writeFile(join(dir, 'master.key'), 'abcd\n', { mode: 0o600 });
    await assert.rejects(loadMasterKey({ envValue: undefined, dataDir: dir }), (error) => {
      assertNamesVariable(error);
      assert.match((error as Error).message, /master\.key/);
      return true;
    });
  });
});

test('cluster mode requires the variable instead of generating a local key', async () => {
  await withTempDir(async (dir) => {
    await assert.rejects(loadMasterKey({ envValue: undefined, dataDir: dir, embedded: false }), (error) => assertNamesVariable(error));
    await assert.rejects(stat(join(dir, 'master.key')));
  });
});
