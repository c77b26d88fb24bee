/**
 * Cluster benchmark 1: failover after kill -9.
 *   npm run bench:failover -- [--n 100] [--nodes 3] [--concurrency 6] [--pg URL] [--env K=V,K=V]
 *
 * --nodes real wafleet processes (the build) on one PostgreSQL schema, real Baileys against one
 * simulator in this process. --n sessions are paired through the nodes in turn (placement spreads
 * them); then the node holding the most is killed with SIGKILL. Measured per session of that node:
 * kill → its lease taken by a survivor (read from the schema) and kill → WORKING again (status
 * written by the adopter, read over the API of a survivor, polled every 200 ms). The simulator's
 * referee says whether any login was fought over: 440 kicks and overlapping logins during the run.
 * Defaults of the lease (TTL 15 s, renew 3 s) and of the connect rate (8 at once, 50 ms stagger)
 * unless --env sets WAFLEET_* variables.
 */
import { parseArgs } from 'node:util';
import { requirePgUrl, simCounters, startClusterBench } from './lib/cluster-bench.ts';
import { machineLine } from './lib/machine.ts';
import { cpuSeconds, loadAverage, rssBytes } from './lib/procfs.ts';
import { ensureTenant, pairSession, sessionId, sessionPhone } from './lib/provision.ts';
import { startSimHost } from './lib/sim-host.ts';
import { mb, now, percentile, pool, sleep, summarize } from './lib/stats.ts';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '100' },
    nodes: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '6' },
    pg: { type: 'string' },
    env: { type: 'string', default: '' },
    'timeout-s': { type: 'string', default: '300' },
  },
});
const total = Number(values.n);
const nodeCount = Number(values.nodes);
const extraEnv = Object.fromEntries(values.env.split(',').filter(Boolean).map((pair) => pair.split('=') as [string, string]));
const pgUrl = requirePgUrl(values.pg);
const log = (line: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

const sim = await startSimHost();
const cluster = await startClusterBench({
  name: 'failover',
  pgUrl,
  waUrl: sim.sim.wsUrl,
  simRootKey: sim.sim.rootPublicKey,
  env: { WAFLEET_PACING_PER_MINUTE: '0', ...extraEnv },
});
const nodeIds = Array.from({ length: nodeCount }, (_, i) => `n${i + 1}`);
let report = '';

try {
  log(`machine: ${machineLine()}`);
  for (const id of nodeIds) await cluster.startNode(id);
  await ensureTenant(cluster.node('n1'), total + 5);
  const ids = Array.from({ length: total }, (_, i) => sessionId(i));
  const pairStarted = now();
  let paired = 0;
  const pairMs = await pool(ids, Number(values.concurrency), async (id, i) => {
    const ms = await pairSession(cluster.node(nodeIds[i % nodeCount]!), sim, id, sessionPhone(i));
    if (++paired % 10 === 0 || paired === total) log(`  paired ${paired}/${total}`);
    return ms;
  });
  const pairing = summarize(pairMs);
  log(`paired ${total} in ${((now() - pairStarted) / 1000).toFixed(1)} s (p50 ${(pairing.p50 / 1000).toFixed(1)} s each)`);
  await sleep(5000); // post-login sync settles

  const owners = await cluster.owners();
  const perNode = new Map(nodeIds.map((id) => [id, ids.filter((s) => owners.get(s) === id)]));
  const victim = [...perNode].sort((a, b) => b[1].length - a[1].length)[0]![0];
  const victimSessions = perNode.get(victim)!;
  const survivors = nodeIds.filter((id) => id !== victim);
  const before = await simCounters(sim.sim.adminUrl);
  const beforeLoad = loadAverage();
  const rssBefore = nodeIds.map((id) => `${id} ${perNode.get(id)!.length} sessions ${mb(rssBytes(cluster.node(id).pid))} MB`).join(', ');
  log(`before the kill: ${rssBefore}; load ${beforeLoad}`);
  const cpuBefore = new Map(survivors.map((id) => [id, cpuSeconds(cluster.node(id).pid)]));

  await cluster.crash(victim);
  const killedAt = Date.now();
  log(`kill -9 ${victim} (${victimSessions.length} sessions)`);

  const leaseAt = new Map<string, number>();
  const workingAt = new Map<string, number>();
  const wanted = new Set(victimSessions);
  const via = cluster.node(survivors[0]!);
  const deadline = killedAt + Number(values['timeout-s']) * 1000;
  while (workingAt.size < wanted.size && Date.now() < deadline) {
    const leases = await cluster.owners();
    for (const id of wanted) if (!leaseAt.has(id) && leases.has(id) && leases.get(id) !== victim) leaseAt.set(id, Date.now() - killedAt);
    for (let offset = 0; offset < total; offset += 500) {
      const page = await via.api('GET', `/v1/sessions?limit=500&offset=${offset}`);
      for (const s of (page.body?.items ?? []) as Array<{ id: string; status: string; updatedAt: number }>) {
        if (wanted.has(s.id) && !workingAt.has(s.id) && s.status === 'WORKING' && s.updatedAt > killedAt) workingAt.set(s.id, Date.now() - killedAt);
      }
    }
    await sleep(200);
  }
  const afterLoad = loadAverage();
  await sleep(5000); // a late 440 would show up here
  const after = await simCounters(sim.sim.adminUrl);
  const finalOwners = await cluster.owners();
  const spread = survivors.map((id) => `${id} +${victimSessions.filter((s) => finalOwners.get(s) === id).length}`).join(', ');
  const survivorCpu = survivors.map((id) => `${id} ${(cpuSeconds(cluster.node(id).pid) - cpuBefore.get(id)!).toFixed(1)} s`).join(', ');
  const lease = summarize([...leaseAt.values()]);
  const working = summarize([...workingAt.values()]);
  const s = (ms: number) => (ms / 1000).toFixed(1);
  const p95 = (times: Map<string, number>) => percentile([...times.values()].sort((a, b) => a - b), 95);

  report = [
    `\n## failover benchmark — ${machineLine()}`,
    `command: npm run bench:failover -- --n ${total} --nodes ${nodeCount} --concurrency ${values.concurrency}${values.env ? ` --env ${values.env}` : ''}`,
    `nodes: ${nodeCount} real processes on PostgreSQL, real Baileys 7.0.0-rc14 against one sim/; env ${JSON.stringify({ WAFLEET_PACING_PER_MINUTE: '0', ...extraEnv })} (lease TTL / resume rate: defaults unless set)`,
    `paired ${total} sessions, ${values.concurrency} at a time (p50 ${s(pairing.p50)} s, max ${s(pairing.max)} s each); before the kill: ${rssBefore}`,
    `killed ${victim} with ${victimSessions.length} WORKING sessions; load before ${beforeLoad}, when all were back ${afterLoad}`,
    '',
    '| measure | count | p50 s | p95 s | max s |',
    '|---|---:|---:|---:|---:|',
    `| kill → lease taken by a survivor | ${lease.count}/${victimSessions.length} | ${s(lease.p50)} | ${s(p95(leaseAt))} | ${s(lease.max)} |`,
    `| kill → WORKING again on a survivor | ${working.count}/${victimSessions.length} | ${s(working.p50)} | ${s(p95(workingAt))} | ${s(working.max)} |`,
    '',
    `adopted: ${spread}; survivors' CPU from the kill until 5 s after the last came back: ${survivorCpu}`,
    `sim referee during the failover: logins +${after.logins - before.logins}, 440 kicks +${after.kicks - before.kicks}, overlapping logins +${after.overlaps - before.overlaps} (whole run: kicks ${after.kicks}, overlaps ${after.overlaps})`,
    `raw JSON: ${JSON.stringify({ total, nodeCount, victim, victimSessions: victimSessions.length, lease, working, before, after, pairing })}`,
  ].join('\n');
} finally {
  await cluster.stop();
  await sim.stop();
}
console.log(report);
process.exit(0);
