/**
 * Benchmark 4: API overhead. GET /v1/sessions/{id} on wafleet (tenant key: auth, tenant wall,
 * session row, response schema) against a bare Fastify route returning the same JSON, same run.
 *   npm run bench:api -- [--connections 16] [--seconds 10] [--rounds 2] [--background N] [--pg URL]
 * --background N: N more WORKING sessions in the wafleet process while it is measured (idle ones).
 * Both servers are child processes on loopback; the load loop runs in this process, one target at a time.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { load, type LoadResult } from './lib/load.ts';
import { machineLine } from './lib/machine.ts';
import { pinClient, pinServer } from './lib/pin.ts';
import { cpuSeconds, loadAverage } from './lib/procfs.ts';
import { ensureTenant, pairSession, provisionRange, sessionId, sessionPhone, TENANT } from './lib/provision.ts';
import { startSimHost } from './lib/sim-host.ts';
import { sleep } from './lib/stats.ts';
import { benchStore } from './lib/store.ts';
import { freePort, spawnWafleet, type WafleetProc } from './lib/wafleet-proc.ts';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '2' },
    background: { type: 'string', default: '0' },
    /** Shared AsyncLocalStorage preload (bench/lib/shared-als-preload.ts); wafleet's engine now installs it itself, so this is a no-op for wafleet. */
    'shared-als': { type: 'boolean', default: false },
    /** Write a V8 CPU profile of the wafleet process into this directory. */
    'cpu-prof': { type: 'string' },
    pg: { type: 'string' },
    /** Count the SQL statements the wafleet process runs (and their time), written to this file at exit. */
    'count-sql': { type: 'string' },
  },
});
const connections = Number(values.connections);
const durationMs = Number(values.seconds) * 1000;
const rounds = Number(values.rounds);
const log = (line: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
const ROOT = new URL('..', import.meta.url).pathname;

const dataDir = mkdtempSync(join(tmpdir(), 'wafleet-bench-api-'));
const store = benchStore(values.pg, 'api');
const sim = await startSimHost();
let proc: WafleetProc | undefined;
let bare: ReturnType<typeof spawn> | undefined;
const results: Array<{ target: string; round: number; load: string; cpuUsPerRequest: number } & LoadResult> = [];

try {
  pinClient();
  log(`machine: ${machineLine()}`);
  proc = await spawnWafleet({ dataDir, waUrl: sim.sim.wsUrl, simRootKey: sim.sim.rootPublicKey, masterKey: randomBytes(32).toString('base64'), env: { ...store.env, ...(values['count-sql'] ? { BENCH_SQL_COUNT_FILE: values['count-sql'] } : {}) }, nodeFlags: [
  ...(values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof']] : []),
  ...(values['count-sql'] ? ['--import', 'tsx', '--import', './bench/lib/count-sql-preload.ts'] : []),
  ...(values['shared-als'] ? ['--import', 'tsx', '--import', './bench/lib/shared-als-preload.ts'] : []),
] });
  const background = Number(values.background);
  await ensureTenant(proc, 5 + background);
  await pairSession(proc, sim, sessionId(0), sessionPhone(0));
  if (background > 0) {
    log(`pairing ${background} background sessions`);
    await provisionRange(proc, sim, 1, 1 + background, 8, log);
    await sleep(5000);
  }
  const key = await proc.api('POST', `/v1/tenants/${TENANT}/keys`, { name: 'bench', scopes: ['read'] });
  if (key.status !== 201) throw new Error(`key: ${key.text}`);
  const headers = { authorization: `Bearer ${key.body.key as string}` };
  const path = `/v1/sessions/${sessionId(0)}`;
  const sample = await fetch(`${proc.url}${path}`, { headers });
  const body = await sample.text();
  log(`wafleet ${path} → ${sample.status}, ${body.length} bytes`);

  const port = await freePort();
  bare = spawn(process.execPath, ['--import', 'tsx', 'bench/lib/bare-fastify.ts'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], env: { PATH: process.env.PATH ?? '', BENCH_PORT: String(port), BENCH_BODY: body } });
  pinServer(bare.pid);
  await new Promise<void>((resolve, reject) => {
    bare!.stdout!.once('data', () => resolve());
    bare!.once('exit', (code) => reject(new Error(`bare fastify exited ${code}`)));
  });
  const bareUrl = `http://127.0.0.1:${port}${path}`;
  const wafleetUrl = `${proc.url}${path}`;
  const bareBody = await (await fetch(bareUrl)).text();
  if (bareBody !== body) log(`note: bare body differs (${bareBody.length} vs ${body.length} bytes)`);

  // Warm-up (JIT, connection setup), not recorded.
  await load(bareUrl, { connections, durationMs: 2000 });
  await load(wafleetUrl, { connections, durationMs: 2000, headers });
  for (let round = 1; round <= rounds; round++) {
    for (const [target, url, h, pid] of [['bare Fastify', bareUrl, {}, bare.pid!], ['wafleet', wafleetUrl, headers, proc.pid]] as const) {
      await sleep(1000);
      const cpu0 = cpuSeconds(pid);
      const result = await load(url, { connections, durationMs, headers: h });
      const cpuUsPerRequest = ((cpuSeconds(pid) - cpu0) * 1e6) / (result.requests || 1);
      results.push({ target, round, load: loadAverage(), cpuUsPerRequest, ...result });
      log(`${target} round ${round}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, server CPU ${cpuUsPerRequest.toFixed(0)} µs/request, errors ${result.errors}`);
    }
  }
} finally {
  bare?.kill('SIGTERM');
  await proc?.stop().catch(() => undefined);
  await sim.stop();
  await store.drop();
  rmSync(dataDir, { recursive: true, force: true });
}

console.log(`\n## API overhead benchmark — ${machineLine()}`);
console.log(`store: ${store.label}`);
console.log(`command: npm run bench:api -- --connections ${connections} --seconds ${values.seconds} --rounds ${rounds} --background ${values.background}${values['shared-als'] ? ' --shared-als (what-if)' : ''}\n`);
console.log('| target | round | requests | req/s | p50 ms | p99 ms | server CPU µs/request | errors | load |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of results) console.log(`| ${r.target} | ${r.round} | ${r.requests} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.cpuUsPerRequest.toFixed(0)} | ${r.errors} | ${r.load} |`);
const mean = (target: string) => {
  const rs = results.filter((r) => r.target === target);
  return rs.reduce((s, r) => s + r.rps, 0) / (rs.length || 1);
};
console.log(`\nwafleet / bare Fastify req/s: ${((mean('wafleet') / mean('bare Fastify')) * 100).toFixed(0)}% (target ≥ 50%)`);
console.log(`raw JSON: ${JSON.stringify(results)}`);
process.exit(0);
