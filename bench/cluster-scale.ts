/**
 * Cluster benchmark 4: many sessions on many nodes, what the database sees.
 *   npm run bench:cluster-scale -- [--sessions 10000] [--nodes 5] [--steady-s 60] [--pg URL] [--env K=V,…]
 *
 * --nodes real wafleet processes (the build) on one PostgreSQL schema, with the fake engine (no
 * WhatsApp: it connects at once from stored creds). The sessions are written straight into the
 * schema in bulk (rows + sealed creds, as a paired session has them) while every node runs, marked
 * to run: the nodes' adoption rounds place them and each node connects its share at the configured
 * rate (WAFLEET_RESUME_CONCURRENCY / _STAGGER_MS). Each node loads bench/lib/count-pg-preload.mjs,
 * which counts every statement it sends to PostgreSQL; statements/s per node are deltas over
 * --steady-s of steady state. Then the node holding the most sessions is killed with SIGKILL:
 * kill → every one of its sessions has a live lease on a survivor, and → WORKING there.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { createCipher } from '../src/security/cipher.ts';
import { parseMasterKey } from '../src/security/master-key.ts';
import { requirePgUrl, startClusterBench } from './lib/cluster-bench.ts';
import { machineLine } from './lib/machine.ts';
import { cpuSeconds, loadAverage, rssBytes } from './lib/procfs.ts';
import { ensureTenant, TENANT } from './lib/provision.ts';
import { mb, sleep } from './lib/stats.ts';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '10000' },
    nodes: { type: 'string', default: '5' },
    'steady-s': { type: 'string', default: '60' },
    pg: { type: 'string' },
    env: { type: 'string', default: '' },
  },
});
const total = Number(values.sessions);
const nodeCount = Number(values.nodes);
const steadyMs = Number(values['steady-s']) * 1000;
const extraEnv = Object.fromEntries(values.env.split(',').filter(Boolean).map((pair) => pair.split('=') as [string, string]));
const pgUrl = requirePgUrl(values.pg);
const log = (line: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
const countFile = (id: string) => join(tmpdir(), `wafleet-bench-pg-count-${process.pid}-${id}.json`);
const nodeEnv = {
  WAFLEET_ENABLE_FAKE_ENGINE: 'true',
  WAFLEET_DEFAULT_ENGINE: 'fake',
  // The fake engine reports one frame at connect and none after; a real socket's keepalives keep it
  // fresh. Without this the watchdog would reconnect every fake session every 90 s.
  WAFLEET_HEALTH_STALE_MS: '3600000',
  ...extraEnv,
};

const cluster = await startClusterBench({ name: 'cscale', pgUrl, env: nodeEnv });
const nodeIds = Array.from({ length: nodeCount }, (_, i) => `n${i + 1}`);
const lines: string[] = [];

interface Counts { at: number; total: number; bySql: Record<string, number> }
const readCounts = (id: string): Counts => JSON.parse(readFileSync(countFile(id), 'utf8')) as Counts;

async function countWorking(): Promise<number> {
  return Number((await cluster.query<{ n: string }>(`select count(*) as n from sessions where status = 'WORKING'`))[0]!.n);
}

/** Sessions rows and their sealed creds, in batches, as a paired fake-engine session has them. */
async function insertSessions(masterKey: string): Promise<void> {
  const cipher = createCipher(parseMasterKey(masterKey));
  const at = Date.now();
  for (let start = 0; start < total; start += 2000) {
    const ids = Array.from({ length: Math.min(2000, total - start) }, (_, i) => `f-${String(start + i).padStart(6, '0')}`);
    const creds = ids.map((id, i) => cipher.encrypt({ sessionId: id, category: 'creds', keyId: 'creds' }, Buffer.from(`1888${String(start + i).padStart(7, '0')}`)));
    await cluster.query('begin');
    await cluster.query(
      `insert into sessions (id, tenant_id, engine, status, status_reason, desired_state, config, me, created_at, updated_at, placement)
       select id, $2, 'fake', 'STOPPED', null, 'running', '{}', null, $3::bigint + ord, $3::bigint + ord, null from unnest($1::text[]) with ordinality as t(id, ord)`,
      [ids, TENANT, at + start],
    );
    await cluster.query(`insert into auth_state (session_id, category, key_id, value) select unnest($1::text[]), 'creds', 'creds', unnest($2::bytea[])`, [ids, creds]);
    await cluster.query('commit');
  }
}

/** Row updates of session_leases so far (pg_stat_user_tables; PostgreSQL publishes them within a second or so). */
async function leaseRowChanges(): Promise<{ updated: number; hot: number }> {
  const [row] = await cluster.query<{ upd: string; hot: string }>(`select n_tup_upd as upd, n_tup_hot_upd as hot from pg_stat_user_tables where schemaname = $1 and relname = 'session_leases'`, [cluster.schema]);
  return { updated: Number(row?.upd ?? 0), hot: Number(row?.hot ?? 0) };
}

const ORPHANS_SQL = `select s.id, s.tenant_id, s.placement from sessions as s left join session_leases as l on l.session_id = s.id
  where s.desired_state = 'running' and (l.session_id is null or l.node_id is null or l.expires_at <= (extract(epoch from clock_timestamp()) * 1000)::bigint)
  order by s.created_at, s.id limit 500`;
/** What a heartbeat's renewal does (the lease part of it), inside a rolled-back transaction so nothing changes. */
const heartbeatSql = (nodeId: string) => `update session_leases set expires_at = expires_at + 1 where node_id = '${nodeId}' and expires_at > 0`;

async function executionMs(text: string): Promise<string> {
  await cluster.query('begin');
  try {
    const plan = await cluster.query<{ 'QUERY PLAN': string }>(`explain analyze ${text}`);
    return /Execution Time: ([\d.]+) ms/.exec(plan.map((r) => r['QUERY PLAN']).join('\n'))?.[1] ?? '?';
  } finally {
    await cluster.query('rollback');
  }
}

/** Per-node statements/s over a window, with the top statements of the busiest node. */
function statementRates(before: Map<string, Counts>, after: Map<string, Counts>, ids: string[]): Array<{ id: string; perSecond: number; top: Array<[string, number]> }> {
  return ids.map((id) => {
    const a = before.get(id)!;
    const b = after.get(id)!;
    const seconds = (b.at - a.at) / 1000;
    const top = Object.entries(b.bySql)
      .map(([sql, n]) => [sql, (n - (a.bySql[sql] ?? 0)) / seconds] as [string, number])
      .filter(([, rate]) => rate > 0)
      .sort((x, y) => y[1] - x[1])
      .slice(0, 8);
    return { id, perSecond: (b.total - a.total) / seconds, top };
  });
}

try {
  log(`machine: ${machineLine()}`);
  for (const id of nodeIds) {
    await cluster.startNode(id, { env: { BENCH_PG_COUNT_FILE: countFile(id) }, nodeFlags: ['--import', './bench/lib/count-pg-preload.mjs'] });
  }
  await ensureTenant(cluster.node('n1'), total + 10);
  const insertStarted = Date.now();
  await insertSessions(cluster.masterKey);
  log(`inserted ${total} sessions in ${((Date.now() - insertStarted) / 1000).toFixed(1)} s; the nodes place and connect them`);
  for (let working = 0; working < total; working = await countWorking()) {
    if (Date.now() - insertStarted > 30 * 60_000) throw new Error(`only ${working}/${total} WORKING after 30 min`);
    await sleep(1000);
  }
  const placedMs = Date.now() - insertStarted;
  log(`all ${total} WORKING ${(placedMs / 1000).toFixed(1)} s after the insert`);
  await sleep(15_000);

  const owners = await cluster.owners();
  const perNode = new Map(nodeIds.map((id) => [id, 0]));
  for (const node of owners.values()) perNode.set(node, (perNode.get(node) ?? 0) + 1);
  const cpu0 = new Map(nodeIds.map((id) => [id, cpuSeconds(cluster.node(id).pid)]));
  const steadyBefore = new Map(nodeIds.map((id) => [id, readCounts(id)]));
  const loadBefore = loadAverage();
  const rowsBefore = await leaseRowChanges();
  await sleep(steadyMs);
  const steadyAfter = new Map(nodeIds.map((id) => [id, readCounts(id)]));
  const rowsAfter = await leaseRowChanges();
  const rates = statementRates(steadyBefore, steadyAfter, nodeIds);
  lines.push(`\n## cluster-scale benchmark — ${machineLine()}`);
  lines.push(`command: npm run bench:cluster-scale -- --sessions ${total} --nodes ${nodeCount} --steady-s ${values['steady-s']}${values.env ? ` --env ${values.env}` : ''}`);
  lines.push(`fake engine, ${nodeCount} real nodes on PostgreSQL, env ${JSON.stringify(nodeEnv)}; ${total} sessions bulk-inserted, all WORKING ${(placedMs / 1000).toFixed(1)} s after the insert`);
  lines.push(`steady state over ${values['steady-s']} s (load ${loadBefore} → ${loadAverage()}):\n`);
  lines.push('| node | sessions | PostgreSQL statements/s | CPU % of a core | RSS MB |');
  lines.push('|---|---:|---:|---:|---:|');
  for (const r of rates) {
    const proc = cluster.node(r.id);
    lines.push(`| ${r.id} | ${perNode.get(r.id)} | **${r.perSecond.toFixed(2)}** | ${(((cpuSeconds(proc.pid) - cpu0.get(r.id)!) / (steadyMs / 1000)) * 100).toFixed(1)} | ${mb(rssBytes(proc.pid))} |`);
  }
  const seconds = steadyMs / 1000;
  lines.push(`\nsession_leases rows updated: ${((rowsAfter.updated - rowsBefore.updated) / seconds).toFixed(0)}/s cluster-wide (HOT ${((rowsAfter.hot - rowsBefore.hot) / seconds).toFixed(0)}/s): each heartbeat renews every lease of its node in one statement`);
  for (const [label, text] of [['heartbeat of the node with the most sessions', heartbeatSql(nodeIds[0]!)], ['adoption round (orphans)', ORPHANS_SQL]] as const) {
    lines.push(`${label}: ${await executionMs(text)} ms (EXPLAIN ANALYZE, from the bench's connection)`);
  }
  const busiest = [...rates].sort((a, b) => b.perSecond - a.perSecond)[0]!;
  lines.push(`\nstatements/s of ${busiest.id} by SQL text:`);
  for (const [sql, rate] of busiest.top) lines.push(`- ${rate.toFixed(2)}/s  ${sql.slice(0, 140)}`);

  // A node dies: its sessions are orphans once their leases expire.
  const victim = [...perNode].sort((a, b) => b[1] - a[1])[0]![0];
  const victimSessions = [...owners].filter(([, node]) => node === victim).map(([id]) => id);
  const survivors = nodeIds.filter((id) => id !== victim);
  const failBefore = new Map(survivors.map((id) => [id, readCounts(id)]));
  await cluster.crash(victim);
  const killedAt = Date.now();
  log(`kill -9 ${victim} (${victimSessions.length} sessions)`);
  let firstLeaseMs = NaN;
  let allLeasedMs = NaN;
  let allWorkingMs = NaN;
  const progress: string[] = [];
  let lastProgressAt = -Infinity;
  while (Number.isNaN(allWorkingMs) && Date.now() - killedAt < 10 * 60_000) {
    const [row] = await cluster.query<{ leased: string; working: string }>(
      `select count(*) filter (where l.node_id is not null and l.node_id <> $2 and l.expires_at > (extract(epoch from clock_timestamp()) * 1000)::bigint) as leased,
              count(*) filter (where l.holder is not null and l.node_id <> $2 and s.status = 'WORKING' and s.updated_at > $3) as working
       from sessions s join session_leases l on l.session_id = s.id where s.id = any($1::text[])`,
      [victimSessions, victim, killedAt],
    );
    const leased = Number(row!.leased);
    const working = Number(row!.working);
    const at = Date.now() - killedAt;
    if (leased > 0 && Number.isNaN(firstLeaseMs)) firstLeaseMs = at;
    if (leased === victimSessions.length && Number.isNaN(allLeasedMs)) allLeasedMs = at;
    if (working === victimSessions.length) allWorkingMs = at;
    if (at - lastProgressAt >= 1000) {
      lastProgressAt = at;
      progress.push(`${at} ${leased} ${working}`);
    }
    await sleep(250);
  }
  const failAfter = new Map(survivors.map((id) => [id, readCounts(id)]));
  const failRates = statementRates(failBefore, failAfter, survivors);
  const finalOwners = await cluster.owners();
  const spread = survivors.map((id) => `${id} +${victimSessions.filter((s) => finalOwners.get(s) === id).length}`).join(', ');
  const s = (ms: number) => (ms / 1000).toFixed(1);
  lines.push(`\nkill -9 ${victim} with ${victimSessions.length} sessions (load ${loadAverage()}): first lease taken ${s(firstLeaseMs)} s, all leased ${s(allLeasedMs)} s, **all WORKING on survivors ${s(allWorkingMs)} s** after the kill; placed ${spread}`);
  lines.push(`re-placement: ${s(allWorkingMs - firstLeaseMs)} s from the first adoption to the last WORKING = ${(victimSessions.length / ((allWorkingMs - firstLeaseMs) / 1000)).toFixed(0)} sessions/s over ${survivors.length} nodes`);
  lines.push(`survivors' statements/s from the kill until all were WORKING: ${failRates.map((r) => `${r.id} ${r.perSecond.toFixed(1)}`).join(', ')}`);
  lines.push(`progress (ms after the kill, leased, WORKING): ${progress.join(' | ')}`);
  lines.push(`raw JSON: ${JSON.stringify({ total, nodeCount, placedMs, perNode: Object.fromEntries(perNode), rates, victim, victimSessions: victimSessions.length, firstLeaseMs, allLeasedMs, allWorkingMs, failRates })}`);
} finally {
  await cluster.stop();
}
console.log(lines.join('\n'));
process.exit(0);
