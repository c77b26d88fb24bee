/**
 * Cluster benchmark 3: does a second node add send throughput?
 *   npm run bench:scale-out -- [--sessions 20] [--messages 600] [--concurrency 16] [--contacts 4] [--mode sync] [--pg URL]
 *
 * One run, four rounds (1 node, 2 nodes twice, 1 node again), real Baileys against one simulator in this process, PostgreSQL:
 *   1 node:  n1 pinned to CPU 0 (taskset) runs every session;
 *   2 nodes: n2 pinned to CPU 1 joins and half the sessions are moved to it (POST /move: no QR).
 * Each phase sends the same text messages round-robin over the sessions to virtual contacts, with
 * --concurrency calls in flight; delivered = decrypted by the contact's simulated phone. In the
 * 2-node phase messages go to the node running their session ("owner"), then once more to the nodes
 * in turn whatever the session ("any node": half the calls take a hop). This process (simulator
 * + HTTP client) is not pinned and shares both cores with the nodes, so the machine's busy share is
 * printed next to each rate: at 100% the rate is bounded by the machine, not by the nodes.
 */
import { parseArgs } from 'node:util';
import { requirePgUrl, startClusterBench } from './lib/cluster-bench.ts';
import { machineLine } from './lib/machine.ts';
import { busyShare, cpuSeconds, loadAverage, machineTicks } from './lib/procfs.ts';
import { ensureTenant, provisionRange, sessionId } from './lib/provision.ts';
import { startSimHost } from './lib/sim-host.ts';
import { now, pool, sleep, summarize } from './lib/stats.ts';
import type { WafleetProc } from './lib/wafleet-proc.ts';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '20' },
    messages: { type: 'string', default: '600' },
    concurrency: { type: 'string', default: '16' },
    contacts: { type: 'string', default: '4' },
    mode: { type: 'string', default: 'sync' },
    pg: { type: 'string' },
  },
});
const sessionCount = Number(values.sessions);
const total = Number(values.messages);
const concurrency = Number(values.concurrency);
const mode = values.mode === 'async' ? 'async' : 'sync';
const pgUrl = requirePgUrl(values.pg);
const log = (line: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

const sim = await startSimHost();
const cluster = await startClusterBench({ name: 'scaleout', pgUrl, waUrl: sim.sim.wsUrl, simRootKey: sim.sim.rootPublicKey, env: { WAFLEET_PACING_PER_MINUTE: '0' } });
const arrivals = new Map<string, number>();
const ids = Array.from({ length: sessionCount }, (_, i) => sessionId(i));
const results: Array<Record<string, string | number>> = [];

/** Sends `total` messages; `entry(session)` picks the node the call goes to. */
async function round(label: string, phones: string[], entry: (session: string) => WafleetProc, prefix: string): Promise<void> {
  const procs = [...cluster.nodes.values()].filter((p) => p.child.exitCode === null);
  const cpu0 = procs.map((p) => cpuSeconds(p.pid));
  const bench0 = cpuSeconds(process.pid);
  const machine0 = machineTicks();
  const load0 = loadAverage();
  const started = now();
  const sent = await pool(Array.from({ length: total }, (_, i) => i), concurrency, async (i) => {
    const session = ids[i % sessionCount]!;
    const to = phones[Math.floor(i / sessionCount) % phones.length]!;
    const t0 = now();
    const answer = await entry(session).api('POST', `/v1/sessions/${session}/messages?mode=${mode}`, { to, type: 'text', text: `${prefix} ${i}` });
    if (answer.status !== 201 && answer.status !== 202) throw new Error(`send ${i} via ${session}: ${answer.status} ${answer.text}`);
    return { id: answer.body.id as string, t0 };
  });
  const deadline = Date.now() + 120_000;
  while (sent.some((s) => !arrivals.has(s.id)) && Date.now() < deadline) await sleep(20);
  const busy = busyShare(machine0, machineTicks());
  const delivered = sent.filter((s) => arrivals.has(s.id));
  const last = Math.max(...delivered.map((s) => arrivals.get(s.id)!));
  const latency = summarize(delivered.map((s) => arrivals.get(s.id)! - s.t0));
  const nodeCpu = procs.map((p, i) => (((cpuSeconds(p.pid) - cpu0[i]!) * 1000) / total).toFixed(2)).join(' + ');
  const row = {
    label,
    delivered: `${delivered.length}/${total}`,
    rate: delivered.length / ((last - started) / 1000),
    p50: latency.p50,
    p99: latency.p99,
    nodeCpu,
    benchCpu: ((cpuSeconds(process.pid) - bench0) * 1000) / total,
    busy,
    load: `${load0} → ${loadAverage()}`,
  };
  results.push(row);
  log(`${label}: ${row.delivered} delivered, ${row.rate.toFixed(1)} msg/s, p50 ${row.p50.toFixed(0)} ms, p99 ${row.p99.toFixed(0)} ms, node CPU ${nodeCpu} ms/msg, sim+client ${row.benchCpu.toFixed(2)} ms/msg, machine ${(busy * 100).toFixed(0)}% busy, load ${row.load}`);
}

async function moveAll(sessions: string[], from: WafleetProc, to: string): Promise<void> {
  for (const id of sessions) {
    const moved = await from.api('POST', `/v1/sessions/${id}/move`, { node: to });
    if (moved.status !== 200) throw new Error(`move ${id}: ${moved.text}`);
  }
  const target = cluster.node(to);
  for (const id of sessions) {
    for (let tries = 0; (await target.api('GET', `/v1/sessions/${id}`)).body?.status !== 'WORKING' || (await cluster.owners()).get(id) !== to; tries++) {
      if (tries > 600) throw new Error(`${id} not WORKING on ${to}`);
      await sleep(100);
    }
  }
}

try {
  log(`machine: ${machineLine()}`);
  const n1 = await cluster.startNode('n1', { cpus: '0' });
  await ensureTenant(n1, sessionCount + 5);
  await provisionRange(n1, sim, 0, sessionCount, 6, log);
  const phones: string[] = [];
  for (let i = 0; i < Number(values.contacts); i++) {
    const phone = `1777${String(i).padStart(7, '0')}`;
    await sim.contact(phone, `Contact ${i}`);
    sim.watchInbox(phone, (id, at) => arrivals.set(id, at));
    phones.push(phone);
  }
  await sleep(3000);
  // Warm-up: every session's first message to each contact sets up its Signal session. Not measured.
  await round('warm-up', phones, () => n1, 'warm-up');
  results.length = 0;
  await round('1 node (n1 on CPU 0)', phones, () => n1, 'one');

  const n2 = await cluster.startNode('n2', { cpus: '1' });
  const movedIds = ids.filter((_, i) => i % 2 === 1);
  await moveAll(movedIds, n1, 'n2');
  let owners = await cluster.owners();
  log(`moved ${movedIds.length} sessions to n2: n1 ${ids.filter((id) => owners.get(id) === 'n1').length}, n2 ${ids.filter((id) => owners.get(id) === 'n2').length}`);
  await sleep(3000);
  const ownerOf = (session: string) => cluster.node(owners.get(session) ?? 'n1');
  await round('warm-up 2', phones, ownerOf, 'warm-up 2');
  results.pop();
  await round('2 nodes (n1 on CPU 0, n2 on CPU 1), calls to the owner', phones, ownerOf, 'two');
  let turn = 0;
  await round('2 nodes, calls to either node in turn (half forwarded)', phones, () => (turn++ % 2 === 0 ? n1 : n2), 'either');
  // Back to one node (n2 stays up, idle): the same layout as the first phase, later in the run.
  await moveAll(movedIds, n2, 'n1');
  owners = await cluster.owners();
  await sleep(3000);
  await round('1 node again (n2 idle)', phones, () => n1, 'one again');
} finally {
  await cluster.stop();
  await sim.stop();
}
console.log(`\n## scale-out benchmark — ${machineLine()}`);
console.log(`command: npm run bench:scale-out -- --sessions ${sessionCount} --messages ${total} --concurrency ${concurrency} --contacts ${values.contacts} --mode ${mode}`);
console.log('real Baileys against one sim/ in the bench process (not pinned), PostgreSQL on the same host; node CPU = each node\'s CPU ms per message\n');
console.log('| phase | delivered | msgs/s delivered | send→delivered p50 / p99 ms | node CPU ms/msg | sim + client CPU ms/msg | machine busy | load |');
console.log('|---|---|---:|---:|---:|---:|---:|---|');
for (const r of results) console.log(`| ${r.label} | ${r.delivered} | ${Number(r.rate).toFixed(1)} | ${Number(r.p50).toFixed(0)} / ${Number(r.p99).toFixed(0)} | ${r.nodeCpu} | ${Number(r.benchCpu).toFixed(2)} | ${(Number(r.busy) * 100).toFixed(0)}% | ${r.load} |`);
console.log(`raw JSON: ${JSON.stringify(results)}`);
process.exit(0);
