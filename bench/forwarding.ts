/**
 * Cluster benchmark 2: what a call costs when it reaches a node that does not run the session.
 *   npm run bench:forwarding -- [--requests 400] [--sends 200] [--pg URL]
 *
 * Two real wafleet nodes (the build) on one PostgreSQL schema, one real Baileys session paired to
 * the in-process simulator and running on one of them (the owner). The same calls go to the owner
 * and to the other node, one at a time, alternating (so a load spike from the shared machine hits
 * both sides alike):
 *   - GET /v1/sessions/{id}: a store read, answered where it arrives (no hop expected);
 *   - GET /v1/sessions/{id}/health: needs the live connection, passed to the owner;
 *   - POST /v1/sessions/{id}/messages?mode=sync: passed to the owner, answered once WhatsApp took it.
 * Added = via the other node minus via the owner, per percentile. Every answer's x-wafleet-node is
 * checked: the forwarded calls must have been produced by the owner.
 */
import { parseArgs } from 'node:util';
import { requirePgUrl, startClusterBench } from './lib/cluster-bench.ts';
import { httpRequest } from './lib/http-client.ts';
import { machineLine } from './lib/machine.ts';
import { loadAverage } from './lib/procfs.ts';
import { ensureTenant, pairSession, sessionId, sessionPhone } from './lib/provision.ts';
import { startSimHost } from './lib/sim-host.ts';
import { now, sleep, summarize } from './lib/stats.ts';
import { ADMIN_KEY, type WafleetProc } from './lib/wafleet-proc.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '400' },
    sends: { type: 'string', default: '200' },
    pg: { type: 'string' },
  },
});
const pgUrl = requirePgUrl(values.pg);
const log = (line: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
const CONTACT = '17770000001';

const sim = await startSimHost();
const cluster = await startClusterBench({ name: 'forwarding', pgUrl, waUrl: sim.sim.wsUrl, simRootKey: sim.sim.rootPublicKey, env: { WAFLEET_PACING_PER_MINUTE: '0' } });
const rows: string[] = [];
const raw: Record<string, unknown> = {};

interface Call {
  label: string;
  method: string;
  path: string;
  body?: () => unknown;
  /** A hop to the owner is expected when the call reaches the other node. */
  forwarded: boolean;
  count: number;
}

async function timed(proc: WafleetProc, call: Call): Promise<{ ms: number; producedBy: string }> {
  const body = call.body?.();
  const headers: Record<string, string> = { authorization: `Bearer ${ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
  const t0 = now();
  const answer = await httpRequest(`${proc.url}${call.path}`, call.method, headers, body === undefined ? undefined : JSON.stringify(body));
  const ms = now() - t0;
  if (answer.status >= 300) throw new Error(`${call.method} ${call.path} → ${answer.status} ${answer.text}`);
  return { ms, producedBy: String(answer.headers['x-wafleet-node'] ?? '') };
}

try {
  log(`machine: ${machineLine()}`);
  await cluster.startNode('n1');
  await cluster.startNode('n2');
  await ensureTenant(cluster.node('n1'), 5);
  const id = sessionId(0);
  await pairSession(cluster.node('n1'), sim, id, sessionPhone(0));
  await sim.contact(CONTACT, 'Contact');
  const ownerId = (await cluster.owners()).get(id)!;
  const otherId = ownerId === 'n1' ? 'n2' : 'n1';
  const owner = cluster.node(ownerId);
  const other = cluster.node(otherId);
  log(`session ${id} runs on ${ownerId}; the other node is ${otherId}`);
  await sleep(3000);

  let text = 0;
  const calls: Call[] = [
    { label: 'GET /v1/sessions/{id} (store read)', method: 'GET', path: `/v1/sessions/${id}`, forwarded: false, count: Number(values.requests) },
    { label: 'GET /v1/sessions/{id}/health (live)', method: 'GET', path: `/v1/sessions/${id}/health`, forwarded: true, count: Number(values.requests) },
    { label: 'POST …/messages?mode=sync', method: 'POST', path: `/v1/sessions/${id}/messages?mode=sync`, body: () => ({ to: CONTACT, type: 'text', text: `forwarding ${text++}` }), forwarded: true, count: Number(values.sends) },
  ];
  for (const call of calls) {
    // Warm-up on both paths (connections, JIT, the owner lookup cache, the first message's Signal session).
    for (let i = 0; i < 20; i++) {
      await timed(owner, call);
      await timed(other, call);
    }
    const direct: number[] = [];
    const hopped: number[] = [];
    const loadBefore = loadAverage();
    for (let i = 0; i < call.count; i++) {
      // Alternate which side goes first, so neither always follows the other's work.
      const pair = i % 2 === 0 ? [owner, other] : [other, owner];
      for (const proc of pair) {
        const { ms, producedBy } = await timed(proc, call);
        const expected = proc === owner || call.forwarded ? ownerId : otherId;
        if (producedBy !== expected) throw new Error(`${call.label} via ${proc === owner ? ownerId : otherId}: answered by ${producedBy}, expected ${expected}`);
        (proc === owner ? direct : hopped).push(ms);
      }
    }
    const d = summarize(direct);
    const h = summarize(hopped);
    raw[call.label] = { direct: d, hopped: h };
    rows.push(`| ${call.label} | ${call.count} + ${call.count} | ${d.p50.toFixed(2)} / ${d.p99.toFixed(2)} | ${h.p50.toFixed(2)} / ${h.p99.toFixed(2)} | **${(h.p50 - d.p50).toFixed(2)}** / ${(h.p99 - d.p99).toFixed(2)} | ${call.forwarded ? `yes (answered by ${ownerId})` : `no (answered by the node reached)`} | ${loadBefore} → ${loadAverage()} |`);
    log(rows.at(-1)!);
  }
} finally {
  await cluster.stop();
  await sim.stop();
}
console.log(`\n## forwarding benchmark — ${machineLine()}`);
console.log(`command: npm run bench:forwarding -- --requests ${values.requests} --sends ${values.sends}`);
console.log('2 real nodes on PostgreSQL, 1 real Baileys session on the owner; sequential calls, owner and other node alternating; times in ms\n');
console.log('| call | requests (owner + other) | via owner p50 / p99 | via other node p50 / p99 | added p50 / p99 | forwarded | load |');
console.log('|---|---:|---:|---:|---:|---|---|');
for (const row of rows) console.log(row);
console.log(`raw JSON: ${JSON.stringify(raw)}`);
process.exit(0);
