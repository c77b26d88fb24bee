/**
 * Benchmark 3: send throughput and latency.
 *   npm run bench:send -- [--messages 500] [--concurrency 8] [--contacts 4] [--rounds 1] [--modes sync,async]
 *     [--senders S]      S sessions (wafleet) and S sockets (raw) share the messages round-robin; default 1
 *     [--background N]   N more idle sessions in wafleet and N more idle sockets in the raw process
 *     [--pg URL]         wafleet on PostgreSQL (a schema of its own, dropped at the end) instead of SQLite
 *     [--wafleet-env N=V] an environment variable for the wafleet process (repeatable)
 *
 * One wafleet session (child process, SQLite) and one raw Baileys socket (bare process), both paired
 * to the in-process simulator, send the same text messages round-robin to virtual contacts. A message
 * counts as delivered when the contact's simulated phone has decrypted it (its inbox, watched in
 * memory). wafleet: POST /v1/sessions/{id}/messages?mode=sync|async (sync answers once WhatsApp took
 * it, async at once; servers without the outbound pipeline ignore ?mode and send sync). Pacing is
 * switched off for the benchmark (WAFLEET_PACING_PER_MINUTE=0).
 * Floor: sock.sendMessage in a loop with the same concurrency. Latency = request start → delivered.
 * CPU per message is given for the sender and for this process (the simulator, and in wafleet rounds
 * the HTTP client), with how busy the whole machine was: when a round keeps every core busy, its
 * rate is bounded by the CPU all three spend per message, not by the sender alone.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { machineLine } from './lib/machine.ts';
import { pinClient } from './lib/pin.ts';
import { busyShare, cpuSeconds, loadAverage, machineTicks } from './lib/procfs.ts';
import { ensureTenant, pairSession, provisionRange, sessionId, sessionPhone } from './lib/provision.ts';
import { RAW_PHONE_PREFIX, spawnRawBaileys, type RawBaileys } from './lib/raw-baileys.ts';
import { startSimHost } from './lib/sim-host.ts';
import { benchStore } from './lib/store.ts';
import { now, pool, sleep, summarize } from './lib/stats.ts';
import { spawnWafleet, type WafleetProc } from './lib/wafleet-proc.ts';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '8' },
    contacts: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '1' },
    modes: { type: 'string', default: 'sync,async' },
    keep: { type: 'boolean', default: false },
    /** Write a V8 CPU profile of the wafleet process into this directory. */
    'cpu-prof': { type: 'string' },
    /** Count the SQL statements the wafleet process runs, written to this file at exit. */
    'count-sql': { type: 'string' },
    background: { type: 'string', default: '0' },
    senders: { type: 'string', default: '1' },
    pg: { type: 'string' },
    /** NAME=VALUE for the wafleet process (repeatable), e.g. --wafleet-env WAFLEET_AUDIT=false. */
    'wafleet-env': { type: 'string', multiple: true, default: [] },
  },
});
const wafleetEnv = Object.fromEntries(values['wafleet-env'].map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
const total = Number(values.messages);
const concurrency = Number(values.concurrency);
const contactCount = Number(values.contacts);
const rounds = Number(values.rounds);
const background = Number(values.background);
const senders = Math.max(1, Number(values.senders));
const senderIndexes = Array.from({ length: senders }, (_, i) => i);
const store = benchStore(values.pg, 'send');
const modes = values.modes.split(',').filter((m) => m === 'sync' || m === 'async');
const log = (line: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

const dataDir = mkdtempSync(join(tmpdir(), 'wafleet-bench-send-'));
const sim = await startSimHost();
let proc: WafleetProc | undefined;
let raw: RawBaileys | undefined;
const arrivals = new Map<string, number>();
interface RoundCpu {
  /** CPU seconds of the sending process (raw Baileys or wafleet). */
  sender: number;
  /** CPU seconds of this process: the simulator and, for wafleet rounds, the HTTP client. */
  bench: number;
  /** Share of all cores busy from the first send to the last delivery. */
  machineBusy: number;
}
const results: Array<{ label: string; round: number; sent: number; delivered: number; rate: number; apiRate: number; p50: number; p99: number; apiP50: number; apiP99: number; cpuMsPerMessage: number; benchCpuMsPerMessage: number; machineBusy: number; load: string }> = [];

/** Measures one round: CPU of the sender and of this process, and how busy the machine was until `work` ended. */
async function measured<T extends unknown[]>(senderPid: number, work: () => Promise<T>): Promise<{ sent: T; cpu: RoundCpu }> {
  const sender0 = cpuSeconds(senderPid);
  const bench0 = cpuSeconds(process.pid);
  const machine0 = machineTicks();
  const sent = await work();
  const machineBusy = busyShare(machine0, machineTicks());
  await sleep(500); // receipts and their handling belong to the send
  return { sent, cpu: { sender: cpuSeconds(senderPid) - sender0, bench: cpuSeconds(process.pid) - bench0, machineBusy } };
}

async function waitDelivered(ids: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (ids.some((id) => !arrivals.has(id)) && Date.now() < deadline) await sleep(20);
}

function record(label: string, round: number, sent: Array<{ id: string; t0: number; t1: number }>, cpu: RoundCpu): void {
  const delivered = sent.filter((s) => arrivals.has(s.id));
  const start = Math.min(...sent.map((s) => s.t0));
  const lastArrival = Math.max(...delivered.map((s) => arrivals.get(s.id)!));
  const lastAnswer = Math.max(...sent.map((s) => s.t1));
  const latency = summarize(delivered.map((s) => arrivals.get(s.id)! - s.t0));
  const api = summarize(sent.map((s) => s.t1 - s.t0));
  const entry = {
    label,
    round,
    sent: sent.length,
    delivered: delivered.length,
    rate: delivered.length / ((lastArrival - start) / 1000),
    apiRate: sent.length / ((lastAnswer - start) / 1000),
    p50: latency.p50,
    p99: latency.p99,
    apiP50: api.p50,
    apiP99: api.p99,
    cpuMsPerMessage: (cpu.sender * 1000) / sent.length,
    benchCpuMsPerMessage: (cpu.bench * 1000) / sent.length,
    machineBusy: cpu.machineBusy,
    load: loadAverage(),
  };
  results.push(entry);
  log(`${label} round ${round}: ${entry.delivered}/${entry.sent} delivered, ${entry.rate.toFixed(1)} msg/s delivered, send→delivered p50 ${entry.p50.toFixed(1)} ms p99 ${entry.p99.toFixed(1)} ms, call p50 ${entry.apiP50.toFixed(1)} p99 ${entry.apiP99.toFixed(1)} ms, sender CPU ${entry.cpuMsPerMessage.toFixed(2)} ms/msg, sim+client CPU ${entry.benchCpuMsPerMessage.toFixed(2)} ms/msg, machine ${(entry.machineBusy * 100).toFixed(0)}% busy, load ${entry.load}`);
}

async function sendViaApi(count: number, contacts: string[], prefix: string, mode = 'sync'): Promise<Array<{ id: string; t0: number; t1: number }>> {
  return pool(Array.from({ length: count }, (_, i) => i), concurrency, async (i) => {
    const t0 = now();
    // Message i: sender i mod S, to contact ⌊i / S⌋ mod C, so every sender reaches every contact.
    const id = sessionId(i % senders);
    const to = contacts[Math.floor(i / senders) % contacts.length];
    const response = await proc!.api('POST', `/v1/sessions/${id}/messages?mode=${mode}`, { to, type: 'text', text: `${prefix} ${i}` });
    const t1 = now();
    if (response.status !== 201 && response.status !== 202) throw new Error(`send ${i}: ${response.status} ${response.text}`);
    return { id: response.body.id as string, t0, t1 };
  });
}

try {
  pinClient();
  log(`machine: ${machineLine()}`);
  proc = await spawnWafleet({ dataDir, waUrl: sim.sim.wsUrl, simRootKey: sim.sim.rootPublicKey, masterKey: randomBytes(32).toString('base64'), env: { WAFLEET_PACING_PER_MINUTE: '0', ...store.env, ...wafleetEnv, ...(values['count-sql'] ? { BENCH_SQL_COUNT_FILE: values['count-sql'] } : {}) }, nodeFlags: [
  ...(values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof']] : []),
  ...(values['count-sql'] ? ['--import', 'tsx', '--import', './bench/lib/count-sql-preload.ts'] : []),
] });
  await ensureTenant(proc, 5 + senders + background);
  await pairSession(proc, sim, sessionId(0), sessionPhone(0));
  raw = await spawnRawBaileys({ wsUrl: sim.sim.wsUrl, adminUrl: sim.sim.adminUrl, simRootKey: sim.sim.rootPublicKey, logFile: join(dataDir, 'raw.log') });
  await raw.pair(0, 1, 1);
  log(`paired one wafleet session (${sessionPhone(0)}) and one raw socket (${RAW_PHONE_PREFIX}${'0'.padStart(7, '0')})`);
  if (senders > 1) {
    log(`pairing ${senders - 1} more sending sessions in each process`);
    await provisionRange(proc, sim, 1, senders, 8, log);
    await raw.pair(1, senders, 8);
  }
  if (background > 0) {
    log(`pairing ${background} idle background sessions in each process`);
    await provisionRange(proc, sim, senders, senders + background, 8, log);
    await raw.pair(senders, senders + background, 8);
  }

  const phones: string[] = [];
  for (let i = 0; i < contactCount; i++) {
    const phone = `1777${String(i).padStart(7, '0')}`;
    await sim.contact(phone, `Contact ${i}`);
    sim.watchInbox(phone, (id, at) => arrivals.set(id, at));
    phones.push(phone);
  }
  const jids = phones.map((p) => `${p}@s.whatsapp.net`);
  await sleep(3000); // let both finish their post-login sync before warming up
  // Warm-up: the first message to each contact sets up the Signal session (pkmsg, key fetch). Not measured.
  const warmApi = await sendViaApi(contactCount * senders * 2, phones, 'warm-up');
  const warmRaw = await raw.send(senderIndexes, jids, contactCount * senders * 2, 1, 'warm-up');
  await waitDelivered([...warmApi, ...warmRaw].map((s) => s.id), 30_000);

  for (let round = 1; round <= rounds; round++) {
    log(`round ${round}: raw Baileys sendMessage, ${total} messages, ${concurrency} in flight`);
    const rawRound = await measured(raw.pid, async () => {
      const sent = await raw!.send(senderIndexes, jids, total, concurrency, `raw r${round}`);
      await waitDelivered(sent.map((s) => s.id), 60_000);
      return sent;
    });
    record('raw Baileys sendMessage', round, rawRound.sent, rawRound.cpu);
    await sleep(2000);
    for (const mode of modes) {
      log(`round ${round}: wafleet POST /messages?mode=${mode}, ${total} messages, ${concurrency} in flight`);
      const apiRound = await measured(proc.pid, async () => {
        const sent = await sendViaApi(total, phones, `api ${mode} r${round}`, mode);
        await waitDelivered(sent.map((s) => s.id), 120_000);
        return sent;
      });
      record(`wafleet API (${mode})`, round, apiRound.sent, apiRound.cpu);
      await sleep(2000);
    }
  }
} finally {
  await raw?.stop().catch(() => undefined);
  await proc?.stop().catch(() => undefined);
  await sim.stop();
  await store.drop();
  if (values.keep) log(`kept ${dataDir}`);
  else rmSync(dataDir, { recursive: true, force: true });
}

console.log(`\n## send benchmark — ${machineLine()}`);
console.log(`store: ${store.label} · sending sessions: ${senders} · background sessions: ${background}`);
console.log(`command: npm run bench:send -- --messages ${total} --concurrency ${concurrency} --contacts ${contactCount} --rounds ${rounds} --modes ${modes.join(',')}${senders > 1 ? ` --senders ${senders}` : ''}${background ? ` --background ${background}` : ''}${values.pg ? ' --pg …' : ''}\n`);
console.log('| sender | round | delivered | msgs/s delivered | send→delivered p50 / p99 ms | call returns p50 / p99 ms | sender CPU ms/msg | sim + client CPU ms/msg | machine busy | load |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const r of results) console.log(`| ${r.label} | ${r.round} | ${r.delivered}/${r.sent} | ${r.rate.toFixed(1)} | ${r.p50.toFixed(1)} / ${r.p99.toFixed(1)} | ${r.apiP50.toFixed(1)} / ${r.apiP99.toFixed(1)} | ${r.cpuMsPerMessage.toFixed(2)} | ${r.benchCpuMsPerMessage.toFixed(2)} | ${(r.machineBusy * 100).toFixed(0)}% | ${r.load} |`);
const mean = (label: string) => {
  const rs = results.filter((r) => r.label === label);
  return rs.reduce((s, r) => s + r.rate, 0) / (rs.length || 1);
};
for (const mode of modes) {
  const ratio = mean(`wafleet API (${mode})`) / mean('raw Baileys sendMessage');
  console.log(`\nwafleet (${mode}) / raw Baileys delivered rate: ${(ratio * 100).toFixed(0)}% (target ≥ 80%)`);
}
console.log(`raw JSON: ${JSON.stringify(results)}`);
process.exit(0);
