/**
 * The Docker image without Docker (no engine runs here): what the Dockerfile's build stage copies
 * exists and passes .dockerignore; its final stage — package.json, production node_modules (npm
 * prune --omit=dev, as the build stage runs it) and the compiled dist/ — starts from a clean folder.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compiledMain, serveWafleet } from '../helpers/wafleet-process.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const [buildStage = '', finalStage = ''] = dockerfile.split(/^FROM /m).slice(1);

/** `COPY a b ./dest` → [a, b] (flags such as --from dropped). */
function copySources(stage: string): string[] {
  return [...stage.matchAll(/^COPY (.+)$/gm)].flatMap((m) => m[1]!.split(/\s+/).filter((w) => !w.startsWith('--')).slice(0, -1));
}

test('the build stage copies files that exist and that .dockerignore lets through', () => {
  const sources = copySources(buildStage);
  assert.deepEqual(sources, ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src', 'dashboard']);
  const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  for (const source of sources) {
    assert.ok(existsSync(join(ROOT, source)), `${source} exists`);
    assert.ok(!ignored.some((pattern) => source === pattern || source.startsWith(`${pattern}/`)), `${source} is not ignored`);
  }
  for (const heavy of ['node_modules', 'dist', '.git', 'data', '.env']) assert.ok(ignored.includes(heavy), `${heavy} stays out of the build context`);
  assert.match(finalStage, /^USER node$/m, 'runs as a non-root user');
  assert.match(finalStage, /^\s+WAFLEET_HOST=0\.0\.0\.0 \\$/m, 'published ports reach the server only beyond loopback (the default is 127.0.0.1)');
  assert.match(finalStage, /^HEALTHCHECK .*\n?.*\/health/m);
  assert.match(finalStage, /^VOLUME \["\/var\/lib\/wafleet"\]$/m);
  assert.match(finalStage, /^ENTRYPOINT \["node", "dist\/main\.js"\]$/m, 'exec form: node is PID 1 and gets SIGTERM');
});

test('the final image contents start from a clean folder with production dependencies only', { timeout: 120_000 }, async (t) => {
  compiledMain(); // dist/ is built (npm test builds it first)
  const work = mkdtempSync(join(tmpdir(), 'wafleet-image-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const build = join(work, 'build');
  const app = join(work, 'app');
  mkdirSync(build);
  mkdirSync(app);

  // Build stage: the installed dependencies, pruned to production ones as `npm prune --omit=dev` does.
  for (const file of ['package.json', 'package-lock.json']) cpSync(join(ROOT, file), join(build, file));
  const copy = spawnSync('cp', ['-a', join(ROOT, 'node_modules'), join(build, 'node_modules')], { encoding: 'utf8' });
  assert.equal(copy.status, 0, copy.stderr);
  const prune = spawnSync('npm', ['prune', '--omit=dev', '--no-audit', '--no-fund', '--offline'], { cwd: build, encoding: 'utf8', timeout: 90_000 });
  assert.equal(prune.status, 0, prune.stderr);

  // Final stage: exactly what it copies from the build stage.
  const finalCopies = [...finalStage.matchAll(/^COPY --from=build \/app\/(\S+) \.\/(\S+)$/gm)].map((m) => m[1]!);
  assert.deepEqual(finalCopies.sort(), ['dist', 'node_modules', 'package.json']);
  cpSync(join(build, 'package.json'), join(app, 'package.json'));
  renameSync(join(build, 'node_modules'), join(app, 'node_modules'));
  cpSync(join(ROOT, 'dist'), join(app, 'dist'), { recursive: true, filter: (source) => !source.endsWith('.tsbuildinfo') });

  const modules = readdirSync(join(app, 'node_modules'));
  for (const dev of ['typescript', 'eslint', 'dependency-cruiser', 'typescript-eslint']) assert.ok(!modules.includes(dev), `${dev} is not in the image`);
  for (const needed of ['fastify', 'baileys', 'better-sqlite3', 'pg']) assert.ok(modules.includes(needed), `${needed} is in the image`);
  assert.deepEqual(readdirSync(app).sort(), ['dist', 'node_modules', 'package.json']);

  const data = join(work, 'data');
  const served = serveWafleet({ PATH: process.env.PATH, NODE_ENV: 'production', WAFLEET_HOST: '127.0.0.1', WAFLEET_PORT: '0', WAFLEET_DATA_DIR: data }, [], { compiled: true, main: join(app, 'dist/main.js'), cwd: app });
  t.after(() => served.kill('SIGKILL'));
  const url = await served.url;
  assert.equal((await fetch(`${url}/health`)).status, 200);
  assert.equal((await fetch(`${url}/ready`)).status, 200);
  const dashboard = await fetch(`${url}/dashboard/`);
  assert.deepEqual([dashboard.status, (await dashboard.text()).includes('/dashboard/assets/')], [200, true], 'the image serves the dashboard');
  const key = /(wfk_[A-Za-z0-9_-]{20,})/.exec(served.output())?.[1];
  assert.ok(key, 'first start prints the admin key');
  assert.equal((await fetch(`${url}/v1/tenants`, { headers: { authorization: `Bearer ${key}` } })).status, 200);
  served.kill('SIGTERM');
  assert.equal(await served.exit, 0, served.output());
  assert.ok(existsSync(join(data, 'wafleet.db')), 'the data volume holds the database');
});
