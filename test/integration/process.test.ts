/** The real process, as a user starts it: first-start admin key, config errors, SIGTERM. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compiledMain, serveWafleet } from '../helpers/wafleet-process.ts';

// The compiled build, as `npm start` and `npm run wafleet` run it.
const MAIN = compiledMain();

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test' };
  return { ...env, WAFLEET_HOST: '127.0.0.1', WAFLEET_PORT: '0', ...extra };
}

describe('the wafleet process', () => {
  test('a second process on the same SQLite data dir refuses to start and names the dir; kill -9 leaves no stale lock', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wafleet-proc-lock-'));
    try {
      const env = cleanEnv({ WAFLEET_DATA_DIR: dataDir, WAFLEET_ADMIN_KEY: 'lock-test-admin-key-0123456789' });
      const first = serveWafleet(env, [], { compiled: true });
      const url = await first.url;
      const second = serveWafleet(env, [], { compiled: true });
      assert.equal(await second.exit, 1);
      assert.match(second.output(), /Another wafleet process is serving the data dir/);
      assert.ok(second.output().includes(dataDir));
      assert.equal((await fetch(`${url}/health`)).status, 200, 'the first one is untouched');
      first.kill('SIGKILL');
      await first.exit;
      // The operating system dropped the lock with the process: the next start takes it.
      const third = serveWafleet(env, [], { compiled: true });
      await third.url;
      third.kill('SIGTERM');
      assert.equal(await third.exit, 0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('first start prints an admin key once that works; the second start does not print one; SIGTERM exits 0', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wafleet-proc-'));
    try {
      const first = serveWafleet(cleanEnv({ WAFLEET_DATA_DIR: dataDir }), [], { compiled: true });
      const url = await first.url;
      const key = /(wfk_[A-Za-z0-9_-]{20,})/.exec(first.output())?.[1];
      assert.ok(key, `an admin key is printed:\n${first.output()}`);
      const tenants = await fetch(`${url}/v1/tenants`, { headers: { authorization: `Bearer ${key}` } });
      assert.equal(tenants.status, 200);
      assert.equal((await fetch(`${url}/ready`)).status, 200);
      first.kill('SIGTERM');
      assert.equal(await first.exit, 0);
      assert.match(first.output(), /stopped cleanly/);

      const second = serveWafleet(cleanEnv({ WAFLEET_DATA_DIR: dataDir }), [], { compiled: true });
      const secondUrl = await second.url;
      assert.doesNotMatch(second.output(), /wfk_/);
      assert.equal((await fetch(`${secondUrl}/v1/tenants`, { headers: { authorization: `Bearer ${key}` } })).status, 200, 'the key survives restarts');
      second.kill('SIGINT');
      assert.equal(await second.exit, 0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('a bad configuration value stops the process with a message naming the variable', () => {
    const result = spawnSync(process.execPath, [MAIN, 'serve'], {
      env: cleanEnv({ WAFLEET_PORT: 'http' }),
      encoding: 'utf8',
    });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /WAFLEET_PORT/);
  });

  test('CLI: tenants create, keys create, sessions list', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wafleet-cli-'));
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [MAIN, ...args], { env: cleanEnv({ WAFLEET_DATA_DIR: dataDir }), encoding: 'utf8' });
    try {
      assert.match(run('migrate').stdout, /sqlite: applied/);
      assert.match(run('migrate').stdout, /schema already current/);
      assert.match(run('tenants', 'create', '--id', 'acme', '--max-sessions', '3').stdout, /"maxSessions": 3/);
      assert.match(run('keys', 'create', '--tenant', 'acme', '--scopes', 'read,send').stdout, /for acme \[read,send\]: wfk_/);
      const bad = run('keys', 'create', '--tenant', 'acme', '--scopes', 'root');
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /unknown scope/);
      assert.match(run('sessions', 'list').stdout, /0 session\(s\)/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
