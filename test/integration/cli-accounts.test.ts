/** The CLI of people and QR codes: `users create|list` on the store, `sessions qr` against a running server. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compiledMain } from '../helpers/wafleet-process.ts';
import { createTestApp, eventually } from '../helpers/test-app.ts';

const MAIN = compiledMain();
const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', ...extra });

describe('CLI', () => {
  test('users create prints a generated password once; that user can log in; a weak --password-stdin is refused', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wafleet-cli-users-'));
    try {
      const created = spawnSync(process.execPath, [MAIN, 'users', 'create', '--email', 'First@Example.com', '--role', 'admin'], { env: env({ WAFLEET_DATA_DIR: dataDir }), encoding: 'utf8' });
      assert.equal(created.status, 0, created.stderr);
      assert.match(created.stdout, /user \S+ <first@example.com> admin/);
      const password = /password \(shown only this once\): (\S+)/.exec(created.stdout)?.[1];
      assert.ok(password && password.length >= 20, created.stdout);

      const weak = spawnSync(process.execPath, [MAIN, 'users', 'create', '--email', 'two@example.com', '--role', 'admin', '--password-stdin'], { env: env({ WAFLEET_DATA_DIR: dataDir }), input: 'short\n', encoding: 'utf8' });
      assert.equal(weak.status, 1);
      assert.match(weak.stderr, /PASSWORD_TOO_WEAK: The password must have at least 12 characters/);
      const listed = spawnSync(process.execPath, [MAIN, 'users', 'list'], { env: env({ WAFLEET_DATA_DIR: dataDir }), encoding: 'utf8' });
      assert.match(listed.stdout, /first@example.com\tadmin/);
      assert.match(listed.stdout, /^1 user\(s\)$/m, 'the refused one was not stored');

      const t = await createTestApp({}, dataDir);
      try {
        const login = await t.request({ method: 'POST', url: '/v1/auth/login', key: null, payload: { email: 'first@example.com', password } });
        assert.equal(login.statusCode, 200, login.body);
        assert.equal(login.json().user.role, 'admin');
      } finally {
        await t.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('sessions qr draws the QR in the terminal and returns once the session is WORKING', async () => {
    const t = await createTestApp({ enableFakeEngine: true });
    try {
      const key = await t.tenantWithKey('acme');
      assert.equal((await t.request({ method: 'POST', url: '/v1/sessions', key, payload: { id: 'term', engine: 'fake', start: true } })).statusCode, 201);
      const base = await t.wafleet.app.listen({ host: '127.0.0.1', port: 0 });
      const child = spawn(process.execPath, [MAIN, 'sessions', 'qr', 'term', '--key', key, '--url', base, '--timeout-s', '30'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
      await eventually(() => output, (text) => text.includes('Scan with WhatsApp'), 15_000);
      assert.match(output, /[▀▄█]/, 'drawn with block characters');
      await t.fake.sessions.get('term')!.scan();
      assert.equal(await exit, 0, output);
      assert.match(output, /term is WORKING/);
    } finally {
      await t.close();
    }
  });
});
