import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { test } from 'node:test';

test('CLI: prints its endpoints as JSON, serves the admin API and stops cleanly on SIGTERM', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'sim/cli.ts', '--json', '--no-media', '--root-seed', 'cli-test'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
    const endpoints = JSON.parse(line);
    assert.match(endpoints.wsUrl, /^ws:\/\/127\.0\.0\.1:\d+\/ws\/chat$/);
    assert.match(endpoints.rootPublicKey, /^[0-9a-f]{64}$/);
    const health = await fetch(`${endpoints.adminUrl}/admin/health`);
    assert.deepEqual(await health.json(), { ok: true });
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('trust preload: WAFLEET_SIM_ROOT_KEY re-pins WA_CERT_DETAILS.PUBLIC_KEY in a child process', async () => {
  const key = 'ab'.repeat(32);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--import', './test/helpers/sim-trust-preload.ts', '-e', "import('baileys').then((b) => console.log(b.WA_CERT_DETAILS.PUBLIC_KEY.toString('hex')))"],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, WAFLEET_SIM_ROOT_KEY: key } },
  );
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  assert.equal(line, key);
  await once(child, 'exit');
});
