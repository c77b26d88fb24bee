// Runs every *.test.ts under test/ (or the paths given) with Node's own test runner through tsx.
// First it makes the certificate of the simulator's media host, which test processes must trust
// from their start (NODE_EXTRA_CA_CERTS is read once, at process start).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function collect(path, out) {
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path).sort()) collect(join(path, name), out);
  } else if (path.endsWith('.test.ts')) {
    out.push(path);
  }
  return out;
}

const roots = process.argv.slice(2);
const files = (roots.length ? roots : ['test']).flatMap((root) => collect(root, []));

const certDir = mkdtempSync(join(tmpdir(), 'wafleet-sim-media-'));
const made = spawnSync(process.execPath, ['--import', 'tsx', 'test/helpers/make-media-cert.ts', certDir], { stdio: 'inherit' });
if (made.status !== 0) process.exit(made.status ?? 1);

const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', ...files],
  {
    stdio: 'inherit',
    env: {
      ...process.env,
      NODE_ENV: 'test',
      NODE_EXTRA_CA_CERTS: join(certDir, 'cert.pem'),
      WAFLEET_TEST_MEDIA_CERT_DIR: certDir,
    },
  },
);
rmSync(certDir, { recursive: true, force: true });
process.exit(result.status ?? 1);
