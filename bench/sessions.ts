/**
 * Benchmark 1 (sessions per node) and 2 (restore), one run:
 *   npm run bench:sessions -- --n 50,200 [--concurrency 8] [--idle-s 30] [--settle-s 10] [--no-raw] [--no-restore] [--tuned 32:0]
 *     [--cpu-prof DIR]   V8 CPU profile of each restarted wafleet (restore + the idle settle after it)
 *     [--pg URL]         wafleet on PostgreSQL (a schema of its own, dropped at the end) instead of SQLite
 *
 * One wafleet process (child, SQLite) against the in-process simulator. Sessions are paired through
 * the API + sim admin API in parallel batches, up to each N in --n in turn; at each N the child's RSS
 * (/proc VmRSS), V8 heap (/metrics) and idle CPU (/proc stat over --idle-s) are recorded, next to the
 * same number of raw Baileys sockets in a bare process (the floor). Then wafleet is stopped (SIGTERM)
 * and started again on the same data dir: time until all N are WORKING, with the default resume
 * settings and, with --tuned C:S, WAFLEET_RESUME_CONCURRENCY=C / WAFLEET_RESUME_STAGGER_MS=S.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { machineLine } from './lib/machine.ts';
import { cpuShare, loadAverage, rssBytes } from './lib/procfs.ts';
import { ensureTenant, provisionRange } from './lib/provision.ts';
import { spawnRawBaileys, type RawBaileys } from './lib/raw-baileys.ts';
import { startSimHost } from './lib/sim-host.ts';
import { benchStore } from './lib/store.ts';
import { mb, now, round, sleep, summarize } from './lib/stats.ts';
import { spawnWafleet, waitWorking, type WafleetProc } from './lib/wafleet-proc.ts';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '8' },
    'idle-s': { type: 'string', default: '30' },
    'settle-s': { type: 'string', default: '10' },
    'no-raw': { type: 'boolean', default: false },
    'no-restore': { type: 'boolean', default: false },
    tuned: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    pg: { type: 'string' },
    /** Shared AsyncLocalStorage preload (bench/lib/shared-als-preload.ts); wafleet's engine now installs it itself, so this is a no-op for wafleet. */
    'shared-als': { type: 'boolean', default: false },
  },
});
const checkpoints = values.n.split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0).sort((a, b) => a - b);
if (checkpoints.length === 0) throw new Error('--n takes a comma-separated list of positive integers, e.g. 50,200');
const concurrency = Number(values.concurrency);
const idleMs = Number(values['idle-s']) * 1000;
const settleMs = Number(values['settle-s']) * 1000;
const maxN = checkpoints[checkpoints.length - 1]!;
const log = (line: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

interface Point { n: number; label: string; rss: number; heapUsed: number; heapTotal: number; rssGc: number; heapUsedGc: number; cpu: number; load: string; provisionMs?: number; pairP50?: number; pairP99?: number }

const dataDir = mkdtempSync(join(tmpdir(), 'wafleet-bench-sessions-'));
const masterKey = randomBytes(32).toString('base64');
const sim = await startSimHost();
const sharedAls = values['shared-als'] ? ['--import', 'tsx', '--import', './bench/lib/shared-als-preload.ts'] : [];
const store = benchStore(values.pg, 'sessions');
const spawnOpts = { dataDir, waUrl: sim.sim.wsUrl, simRootKey: sim.sim.rootPublicKey, masterKey, nodeFlags: sharedAls, env: store.env };
let proc: WafleetProc | undefined;
let raw: RawBaileys | undefined;
const points: Point[] = [];
const restores: Array<{ label: string; n: number; stopMs: number; readyMs: number; allWorkingMs: number; rss: number; load: string }> = [];

async function measure(label: string, n: number, pid: number, heap: () => Promise<{ used: number; total: number }>, gc: () => Promise<void>, extra: Partial<Point> = {}): Promise<Point> {
  const cpu = await cpuShare(pid, idleMs);
  const h = await heap();
  const rss = rssBytes(pid);
  await gc();
  const afterGc = await heap();
  const point = { n, label, rss, heapUsed: h.used, heapTotal: h.total, rssGc: rssBytes(pid), heapUsedGc: afterGc.used, cpu, load: loadAverage(), ...extra };
  log(`${label} n=${n}: rss ${mb(point.rss)} MB (after full GC ${mb(point.rssGc)}), heap ${mb(point.heapUsed)}/${mb(point.heapTotal)} MB (after GC ${mb(point.heapUsedGc)} used), cpu ${(cpu * 100).toFixed(2)}% of a core, load ${point.load}`);
  return point;
}

try {
  log(`machine: ${machineLine()}`);
  proc = await spawnWafleet(spawnOpts);
  await ensureTenant(proc, maxN);
  const wafleetHeap = async () => {
    const m = await proc!.metrics();
    return { used: m.heapUsed, total: m.heapTotal };
  };
  if (!values['no-raw']) {
    raw = await spawnRawBaileys({ wsUrl: sim.sim.wsUrl, adminUrl: sim.sim.adminUrl, simRootKey: sim.sim.rootPublicKey, logFile: join(dataDir, 'raw.log') });
  }
  const wafleetGc = () => proc!.gc();
  const rawGc = () => raw!.gc();
  const rawHeap = async () => {
    const m = await raw!.memory();
    return { used: m.heapUsed, total: m.heapTotal };
  };
  await sleep(settleMs);
  const [w0, r0] = await Promise.all([measure('wafleet', 0, proc.pid, wafleetHeap, wafleetGc), raw ? measure('raw', 0, raw.pid, rawHeap, rawGc) : undefined]);
  points.push(w0, ...(r0 ? [r0] : []));

  let from = 0;
  for (const n of checkpoints) {
    log(`wafleet: pairing sessions ${from}..${n - 1} (${concurrency} at a time)`);
    const t0 = now();
    const times = await provisionRange(proc, sim, from, n, concurrency, log);
    const provisionMs = now() - t0;
    const pair = summarize(times);
    log(`wafleet: ${n - from} sessions WORKING in ${(provisionMs / 1000).toFixed(1)} s (pair p50 ${pair.p50} ms, p99 ${pair.p99} ms)`);
    let rawExtra: Partial<Point> = {};
    if (raw) {
      log(`raw: pairing sockets ${from}..${n - 1}`);
      const r0t = now();
      const rawTimes = summarize(await raw.pair(from, n, concurrency));
      rawExtra = { provisionMs: now() - r0t, pairP50: rawTimes.p50, pairP99: rawTimes.p99 };
      log(`raw: ${n - from} sockets open in ${((now() - r0t) / 1000).toFixed(1)} s`);
    }
    await sleep(settleMs);
    const [w, r] = await Promise.all([
      measure('wafleet', n, proc.pid, wafleetHeap, wafleetGc, { provisionMs, pairP50: pair.p50, pairP99: pair.p99 }),
      raw ? measure('raw', n, raw.pid, rawHeap, rawGc, rawExtra) : undefined,
    ]);
    points.push(w, ...(r ? [r] : []));
    from = n;
  }
  await raw?.stop();
  raw = undefined;

  if (!values['no-restore']) {
    const variants: Array<{ label: string; env: Record<string, string> }> = [{ label: 'defaults (concurrency 8, stagger 50 ms)', env: {} }];
    if (values.tuned) {
      const [c, s] = values.tuned.split(':');
      variants.push({ label: `tuned (concurrency ${c}, stagger ${s ?? 0} ms)`, env: { WAFLEET_RESUME_CONCURRENCY: String(c), WAFLEET_RESUME_STAGGER_MS: String(s ?? 0) } });
    }
    for (const variant of variants) {
      log(`restore, ${variant.label}: SIGTERM with ${maxN} WORKING`);
      const stopMs = await proc.stop();
      const t0 = now();
      proc = await spawnWafleet({ ...spawnOpts, env: { ...store.env, ...variant.env }, nodeFlags: [...sharedAls, ...(values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof']] : [])] });
      const allWorkingMs = await waitWorking(proc, maxN, t0, 600_000, (m) => log(`  ${JSON.stringify(m.byStatus)}`));
      await sleep(settleMs);
      const entry = { label: variant.label, n: maxN, stopMs, readyMs: proc.readyMs, allWorkingMs, rss: rssBytes(proc.pid), load: loadAverage() };
      restores.push(entry);
      log(`restore ${variant.label}: stop ${(stopMs / 1000).toFixed(1)} s, /health after ${(entry.readyMs / 1000).toFixed(1)} s, all ${maxN} WORKING after ${(allWorkingMs / 1000).toFixed(1)} s; rss ${mb(entry.rss)} MB`);
    }
  }
} finally {
  await raw?.stop().catch(() => undefined);
  await proc?.stop().catch(() => undefined);
  await sim.stop();
  await store.drop();
  if (!values.keep) rmSync(dataDir, { recursive: true, force: true });
  else log(`kept ${dataDir}`);
}

// ---- report ----
const byLabel = (label: string) => points.filter((p) => p.label === label);
const slope = (series: Point[]) => {
  if (series.length < 2) return NaN;
  const a = series[series.length - 2]!;
  const b = series[series.length - 1]!;
  return (b.rss - a.rss) / (b.n - a.n);
};
const perSessionFromZero = (series: Point[]) => {
  const zero = series[0]!;
  const last = series[series.length - 1]!;
  return (last.rss - zero.rss) / (last.n || 1);
};
console.log(`\n## sessions benchmark — ${machineLine()}`);
console.log(`store: ${store.label}`);
console.log(`command: npm run bench:sessions -- --n ${values.n} --concurrency ${concurrency} --idle-s ${values['idle-s']} --settle-s ${values['settle-s']}${values.tuned ? ` --tuned ${values.tuned}` : ''}${values['shared-als'] ? ' --shared-als (what-if)' : ''}${values['no-raw'] ? ' --no-raw' : ''}${values.pg ? ' --pg …' : ''}\n`);
console.log('| process | N | RSS MB | RSS after full GC MB | heap used/total MB | heap used after GC MB | idle CPU % of a core (per 100 sessions) | time to all WORKING | pair p50/p99 ms | load |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const p of points) {
  const per100 = p.n ? ` (${((p.cpu * 100 * 100) / p.n).toFixed(2)})` : '';
  console.log(`| ${p.label} | ${p.n} | ${mb(p.rss)} | ${mb(p.rssGc)} | ${mb(p.heapUsed)} / ${mb(p.heapTotal)} | ${mb(p.heapUsedGc)} | ${(p.cpu * 100).toFixed(2)}${per100} | ${p.provisionMs ? `${(p.provisionMs / 1000).toFixed(1)} s` : '–'} | ${p.pairP50 ?? '–'} / ${p.pairP99 ?? '–'} | ${p.load} |`);
}
for (const label of ['wafleet', 'raw']) {
  const series = byLabel(label);
  if (series.length < 2) continue;
  const steps = series.slice(1).map((p, i) => `${series[i]!.n}→${p.n}: ${mb((p.rss - series[i]!.rss) / (p.n - series[i]!.n))} MB (after GC ${mb((p.rssGc - series[i]!.rssGc) / (p.n - series[i]!.n))} MB)`).join(', ');
  console.log(`\n${label}: RSS per session, slope ${steps}; (RSS(N) − RSS(0)) / N at N=${series[series.length - 1]!.n}: ${mb(perSessionFromZero(series))} MB; last slope ${mb(slope(series))} MB`);
}
if (restores.length) {
  console.log('\n| restore | N | SIGTERM → exit | spawn → /health | spawn → all WORKING | RSS after | load |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of restores) console.log(`| ${r.label} | ${r.n} | ${(r.stopMs / 1000).toFixed(1)} s | ${(r.readyMs / 1000).toFixed(1)} s | ${(r.allWorkingMs / 1000).toFixed(1)} s | ${mb(r.rss)} MB | ${r.load} |`);
}
console.log(`\nraw JSON: ${JSON.stringify({ points: points.map((p) => ({ ...p, cpu: round(p.cpu * 100, 3) })), restores })}`);
process.exit(0);
