/**
 * Benchmark 5: inbound events → webhook deliveries.
 *   npm run bench:events -- [--messages 500] [--concurrency 8] [--contacts 4] [--rate R] [--pg URL]
 * --rate R: the contacts send at most R messages per second (latency at a sustainable load);
 * without it they send as fast as the simulator can (throughput, with a backlog).
 *
 * One wafleet session (child process, SQLite or PostgreSQL with --pg, defaults for webhook delivery) paired to the in-process
 * simulator; virtual contacts' phones send it text messages (sim admin API); a session-level webhook
 * (events: message.received) points at a receiver in this process on 127.0.0.1
 * (WAFLEET_ALLOW_PRIVATE_URLS=1 for the loopback target). Latency = the contact's send call
 * started → the webhook POST for that message id arrived. Signatures are checked on every delivery.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { machineLine } from './lib/machine.ts';
import { cpuSeconds, loadAverage } from './lib/procfs.ts';
import { ensureTenant, pairSession, sessionId, sessionPhone } from './lib/provision.ts';
import { startSimHost } from './lib/sim-host.ts';
import { now, pool, sleep, summarize } from './lib/stats.ts';
import { benchStore } from './lib/store.ts';
import { spawnWafleet, type WafleetProc } from './lib/wafleet-proc.ts';

const { values } = parseArgs({
  options: {
    pg: { type: 'string' },
    messages: { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '8' },
    contacts: { type: 'string', default: '4' },
    rate: { type: 'string' },
    /** Write a V8 CPU profile of the wafleet process into this directory. */
    'cpu-prof': { type: 'string' },
    /** Count the SQL statements the wafleet process runs (and their time), written to this file at exit. */
    'count-sql': { type: 'string' },
  },
});
const total = Number(values.messages);
const concurrency = Number(values.concurrency);
const contactCount = Number(values.contacts);
const log = (line: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
const SECRET = 'bench-webhook-secret-0123456789';

const dataDir = mkdtempSync(join(tmpdir(), 'wafleet-bench-events-'));
const store = benchStore(values.pg, 'events');
const sim = await startSimHost();
let proc: WafleetProc | undefined;
const arrivals = new Map<string, number>();
let deliveries = 0;
let badSignatures = 0;
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const at = now();
    const raw = Buffer.concat(chunks).toString('utf8');
    const expected = createHmac('sha256', SECRET).update(`${String(req.headers['x-wafleet-timestamp'])}.${raw}`).digest('hex');
    if (req.headers['x-wafleet-signature'] !== expected) badSignatures++;
    deliveries++;
    try {
      const event = JSON.parse(raw) as { type?: string; payload?: { id?: string } };
      if (event.type === 'message.received' && event.payload?.id && !arrivals.has(event.payload.id)) arrivals.set(event.payload.id, at);
    } catch {
      badSignatures++;
    }
    res.writeHead(204).end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const address = receiver.address();
const receiverUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hook`;
interface EventsResult { sent: number; delivered: number; eventsPerSecond: number; p50: number; p90: number; p99: number; max: number; cpuMsPerEvent: number; simSendMs: number; firstArrivalMs: number; badSignatures: number; deliveries: number; load: string }
let result: EventsResult | undefined;

try {
  log(`machine: ${machineLine()}`);
  proc = await spawnWafleet({ dataDir, waUrl: sim.sim.wsUrl, simRootKey: sim.sim.rootPublicKey, masterKey: randomBytes(32).toString('base64'), env: { WAFLEET_ALLOW_PRIVATE_URLS: '1', ...store.env, ...(values['count-sql'] ? { BENCH_SQL_COUNT_FILE: values['count-sql'] } : {}) }, nodeFlags: [
    ...(values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof']] : []),
    ...(values['count-sql'] ? ['--import', 'tsx', '--import', './bench/lib/count-sql-preload.ts'] : []),
  ] });
  await ensureTenant(proc, 5);
  await pairSession(proc, sim, sessionId(0), sessionPhone(0));
  const hook = await proc.api('POST', '/v1/webhooks', { url: receiverUrl, events: ['message.received'], session: sessionId(0), secret: SECRET });
  if (hook.status !== 201) throw new Error(`webhook create: ${hook.status} ${hook.text}`);
  const phones: string[] = [];
  for (let i = 0; i < contactCount; i++) {
    const phone = `1777${String(i).padStart(7, '0')}`;
    await sim.contact(phone, `Contact ${i}`);
    phones.push(phone);
  }
  await sleep(3000);
  // Warm-up: first message from each contact sets up its Signal session. Not measured.
  const warm = await pool(phones, contactCount, (phone) => sim.contactSend(phone, sessionPhone(0), 'warm-up'));
  const warmDeadline = Date.now() + 30_000;
  while (warm.some((id) => !arrivals.has(id)) && Date.now() < warmDeadline) await sleep(20);

  log(`sending ${total} messages from ${contactCount} virtual contacts, ${concurrency} in flight`);
  const cpu0 = cpuSeconds(proc.pid);
  const rate = values.rate ? Number(values.rate) : 0;
  const begin = now();
  const sent = await pool(Array.from({ length: total }, (_, i) => i), concurrency, async (i) => {
    if (rate > 0) {
      const due = begin + (i * 1000) / rate;
      if (due > now()) await sleep(due - now());
    }
    const t0 = now();
    const id = await sim.contactSend(phones[i % phones.length]!, sessionPhone(0), `inbound ${i}`);
    return { id, t0, t1: now() };
  });
  const deadline = Date.now() + 120_000;
  while (sent.some((s) => !arrivals.has(s.id)) && Date.now() < deadline) await sleep(20);
  const cpuMs = (cpuSeconds(proc.pid) - cpu0) * 1000;
  const delivered = sent.filter((s) => arrivals.has(s.id));
  const start = Math.min(...sent.map((s) => s.t0));
  const last = Math.max(...delivered.map((s) => arrivals.get(s.id)!));
  const latency = summarize(delivered.map((s) => arrivals.get(s.id)! - s.t0));
  const simSendMs = Math.max(...sent.map((s) => s.t1)) - start;
  const firstArrivalMs = Math.min(...delivered.map((s) => arrivals.get(s.id)!)) - start;
  result = {
    sent: sent.length,
    delivered: delivered.length,
    eventsPerSecond: delivered.length / ((last - start) / 1000),
    p50: latency.p50,
    p90: latency.p90,
    p99: latency.p99,
    max: latency.max,
    cpuMsPerEvent: cpuMs / sent.length,
    simSendMs,
    firstArrivalMs,
    badSignatures,
    deliveries,
    load: loadAverage(),
  };
  log(JSON.stringify(result));
} finally {
  await proc?.stop().catch(() => undefined);
  await sim.stop();
  receiver.close();
  await store.drop();
  rmSync(dataDir, { recursive: true, force: true });
}

if (result) {
  const r = result;
  console.log(`\n## events benchmark — ${machineLine()}`);
  console.log(`store: ${store.label}`);
  console.log(`command: npm run bench:events -- --messages ${total} --concurrency ${concurrency} --contacts ${contactCount}${values.rate ? ` --rate ${values.rate}` : ''}\n`);
  console.log('| inbound messages | webhook deliveries (message.received) | events/s | inbound→webhook p50 / p90 / p99 / max ms | wafleet CPU ms/event | bad signatures | load |');
  console.log('|---|---|---|---|---|---|---|');
  console.log(`| ${r.sent} | ${r.delivered} | ${r.eventsPerSecond.toFixed(1)} | ${r.p50.toFixed(0)} / ${r.p90.toFixed(0)} / ${r.p99.toFixed(0)} / ${r.max.toFixed(0)} | ${r.cpuMsPerEvent.toFixed(2)} | ${r.badSignatures} | ${r.load} |`);
  console.log(`\nthe contacts' phones finished sending all ${r.sent} after ${(r.simSendMs / 1000).toFixed(2)} s; the first webhook arrived ${(r.firstArrivalMs / 1000).toFixed(2)} s after the first send`);
  console.log(`raw JSON: ${JSON.stringify(result)}`);
}
process.exit(0);
