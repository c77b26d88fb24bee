import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config/config.ts';

test('defaults are the embedded single-machine setup', () => {
  const config = loadConfig({});
  assert.equal(config.port, 3000);
  assert.equal(config.host, '127.0.0.1', 'a fresh install listens on loopback only');
  assert.equal(config.dataDir, './data');
  assert.equal(config.databaseUrl, undefined);
  assert.equal(config.enableFakeEngine, false);
  assert.ok(Object.isFrozen(config));
});

test('values are parsed and typed', () => {
  const config = loadConfig({ WAFLEET_PORT: '8080', WAFLEET_ENABLE_FAKE_ENGINE: '1', WAFLEET_ENGINE_ALLOWLIST: 'a, b', DATABASE_URL: 'postgres://x@h/db' });
  assert.equal(config.port, 8080);
  assert.equal(config.enableFakeEngine, true);
  assert.deepEqual(config.engineAllowlist, ['a', 'b']);
  assert.equal(config.databaseUrl, 'postgres://x@h/db');
});

test('a bad value names the variable', () => {
  const cases: Record<string, string> = {
    WAFLEET_PORT: 'eighty',
    WAFLEET_LOG_LEVEL: 'loud',
    DATABASE_URL: 'mysql://x',
    WAFLEET_ENABLE_FAKE_ENGINE: 'maybe',
    WAFLEET_ADMIN_KEY: 'short',
  };
  for (const [variable, value] of Object.entries(cases)) {
    assert.throws(() => loadConfig({ [variable]: value }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.variable, variable);
      assert.match(error.message, new RegExp(variable));
      return true;
    });
  }
});

test('WAFLEET_TRUST_PROXY: off by default, a hop count, or proxy addresses; anything else names the variable', () => {
  assert.equal(loadConfig({}).trustProxy, false);
  assert.equal(loadConfig({ WAFLEET_TRUST_PROXY: '0' }).trustProxy, false);
  assert.equal(loadConfig({ WAFLEET_TRUST_PROXY: '2' }).trustProxy, 2);
  assert.deepEqual(loadConfig({ WAFLEET_TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1,loopback' }).trustProxy, ['127.0.0.1', '10.0.0.0/8', '::1', 'loopback']);
  for (const bad of ['true', '10.0.0.0/33', 'proxy.example.com', '1.2.3.4/8/1']) {
    assert.throws(() => loadConfig({ WAFLEET_TRUST_PROXY: bad }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.variable, 'WAFLEET_TRUST_PROXY');
      assert.match(error.message, /hop count or a comma-separated list/);
      return true;
    });
  }
});

test('the private-URL allowlist and CORS origins are checked entry by entry', () => {
  const config = loadConfig({ WAFLEET_PRIVATE_URL_ALLOWLIST: '10.0.5.7, fd00:1::/32', WAFLEET_CORS_ORIGINS: 'https://app.example.com,http://localhost:5173' });
  assert.deepEqual(config.privateUrlAllowlist, ['10.0.5.7', 'fd00:1::/32']);
  assert.deepEqual(config.corsOrigins, ['https://app.example.com', 'http://localhost:5173']);
  const bad: Array<[string, string, RegExp]> = [
    ['WAFLEET_PRIVATE_URL_ALLOWLIST', '10.0.0.0/8,intranet', /"intranet" is not an IP address or CIDR range/],
    ['WAFLEET_PRIVATE_URL_ALLOWLIST', '10.0.0.0/40', /"10\.0\.0\.0\/40"/],
    ['WAFLEET_CORS_ORIGINS', '*', /"\*", which is not an origin/],
    ['WAFLEET_CORS_ORIGINS', 'https://app.example.com/', /not an origin/],
    ['WAFLEET_CORS_ORIGINS', 'app.example.com', /not an origin/],
    ['WAFLEET_CORS_ORIGINS', 'ftp://files.example.com', /not an origin/],
  ];
  for (const [variable, value, reason] of bad) {
    assert.throws(() => loadConfig({ [variable]: value }), (error: unknown) => error instanceof ConfigError && error.variable === variable && reason.test(error.message), `${variable}=${value}`);
  }
});
