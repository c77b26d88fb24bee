/**
 * deploy/install.sh in a scratch prefix: the dry run changes nothing; a real run lays out folders,
 * keys (mode 0600, valid for wafleet), units and the nginx site; a second run changes nothing and
 * keeps the keys; --uninstall removes the program but keeps data and keys (--purge removes them).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadConfig } from '../../src/config/config.ts';

const SCRIPT = new URL('../../deploy/install.sh', import.meta.url).pathname;

/** The script sees the Node.js these tests run on (wafleet needs 22+), or `nodeDir`'s. */
function runInstall(args: string[], nodeDir = dirname(process.execPath)) {
  return spawnSync('bash', [SCRIPT, ...args], { encoding: 'utf8', timeout: 60_000, env: { PATH: `${nodeDir}:${process.env.PATH}`, HOME: process.env.HOME } });
}

function install(...args: string[]) {
  const result = runInstall(args);
  assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

test('install.sh refuses a Node.js older than 22 and says what is needed', (t) => {
  const bin = mkdtempSync(join(tmpdir(), 'wafleet-old-node-'));
  const prefix = mkdtempSync(join(tmpdir(), 'wafleet-install-'));
  t.after(() => [bin, prefix].forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  writeFileSync(join(bin, 'node'), '#!/bin/sh\necho v20.19.2\n', { mode: 0o755 });
  const result = runInstall(['--prefix', prefix, '--skip-npm', '--domain', 'api.example.org'], bin);
  assert.equal(result.status, 1);
  assert.match(result.stderr, /Node\.js v20\.19\.2 is too old: wafleet needs 22 or newer/);
  assert.deepEqual(readdirSync(prefix), [], 'nothing written');
});

function parseEnvFile(text: string): Record<string, string> {
  return Object.fromEntries(text.split('\n').filter((line) => /^[A-Z_]+=/.test(line)).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

test('install.sh --dry-run in a scratch prefix prints the plan and creates nothing', (t) => {
  const prefix = mkdtempSync(join(tmpdir(), 'wafleet-install-'));
  t.after(() => rmSync(prefix, { recursive: true, force: true }));
  const out = install('--prefix', prefix, '--dry-run', '--domain', 'api.example.org', '--instances', '2');
  assert.match(out, /dry run: nothing is changed/);
  for (const step of [/\+ mkdir -p .*\/var\/lib\/wafleet .*\/etc\/wafleet/, /\+ npm --prefix .*\/opt\/wafleet ci/, /\+ npm --prefix .*\/opt\/wafleet prune --omit=dev/, /\+ write .*\/etc\/wafleet\/wafleet\.env \(mode 600\)/, /\+ write .*\/etc\/systemd\/system\/wafleet@\.service/, /systemctl enable --now wafleet@3001\.service wafleet@3002\.service/, /\+ write .*\/etc\/nginx\/sites-available\/wafleet/]) {
    assert.match(out, step);
  }
  assert.deepEqual(readdirSync(prefix), [], 'nothing written');
});

test('install.sh in a scratch prefix: layout, keys, units, site; idempotent; --uninstall and --purge', (t) => {
  const prefix = mkdtempSync(join(tmpdir(), 'wafleet-install-'));
  t.after(() => rmSync(prefix, { recursive: true, force: true }));
  const first = install('--prefix', prefix, '--skip-npm', '--domain', 'api.example.org');
  const adminKey = /admin API key \(shown once, also in .*\): (wfk_\S+)/.exec(first)?.[1];
  assert.ok(adminKey, first);

  const envPath = join(prefix, 'etc/wafleet/wafleet.env');
  assert.equal(statSync(envPath).mode & 0o777, 0o600);
  assert.equal(statSync(join(prefix, 'var/lib/wafleet')).mode & 0o777, 0o700);
  const env = parseEnvFile(readFileSync(envPath, 'utf8'));
  assert.equal(env.WAFLEET_ADMIN_KEY, adminKey);
  const config = loadConfig(env);
  assert.equal(config.trustProxy.toString(), '127.0.0.1');
  assert.equal(Buffer.from(env.WAFLEET_MASTER_KEY!, 'base64').length, 32, 'a valid master key');
  assert.ok(existsSync(join(prefix, 'opt/wafleet/src/main.ts')) && existsSync(join(prefix, 'opt/wafleet/deploy/install.sh')));
  assert.equal(readFileSync(join(prefix, 'etc/systemd/system/wafleet.service'), 'utf8'), readFileSync(new URL('../../deploy/systemd/wafleet.service', import.meta.url), 'utf8'));
  const site = readFileSync(join(prefix, 'etc/nginx/sites-available/wafleet'), 'utf8');
  assert.match(site, /server_name api\.example\.org;/);
  assert.match(site, /upstream wafleet \{\n(?:\s*#.*\n)*    server 127\.0\.0\.1:3000 max_fails=1 fail_timeout=10s;\n    keepalive 32;/);
  assert.ok(!site.includes('server 127.0.0.1:3001'), 'one instance: one upstream server');
  assert.match(first, /no TLS certificate for api\.example\.org yet/);
  assert.ok(!existsSync(join(prefix, 'etc/nginx/sites-enabled/wafleet')), 'not enabled without a certificate');

  // Once the certificate is there, a second run enables the site and changes nothing else.
  mkdirSync(join(prefix, 'etc/letsencrypt/live/api.example.org'), { recursive: true });
  writeFileSync(join(prefix, 'etc/letsencrypt/live/api.example.org/fullchain.pem'), 'certificate');
  const second = install('--prefix', prefix, '--skip-npm', '--domain', 'api.example.org');
  assert.match(second, /kept .*wafleet\.env \(keys unchanged\)/);
  assert.doesNotMatch(second, /admin API key/);
  assert.match(second, /unchanged .*wafleet\.service/);
  assert.match(second, /unchanged .*sites-available\/wafleet/);
  assert.equal(parseEnvFile(readFileSync(envPath, 'utf8')).WAFLEET_MASTER_KEY, env.WAFLEET_MASTER_KEY);
  assert.ok(lstatSync(join(prefix, 'etc/nginx/sites-enabled/wafleet')).isSymbolicLink());
  install('--prefix', prefix, '--skip-npm', '--domain', 'api.example.org');

  install('--prefix', prefix, '--uninstall');
  for (const gone of ['opt/wafleet', 'etc/systemd/system/wafleet.service', 'etc/nginx/sites-enabled/wafleet', 'etc/nginx/sites-available/wafleet']) assert.ok(!existsSync(join(prefix, gone)), `${gone} removed`);
  assert.ok(existsSync(envPath) && existsSync(join(prefix, 'var/lib/wafleet')), 'data and keys kept');
  install('--prefix', prefix, '--uninstall', '--purge');
  assert.ok(!existsSync(envPath) && !existsSync(join(prefix, 'var/lib/wafleet')));
});
