/**
 * Benchmark: webhook delivery throughput and event → delivery latency.
 *   node --import tsx bench/webhook-delivery.ts [--events 5000] [--sessions 20] [--rate 200] [--paced-s 10]
 *        [--endpoint-concurrency 8] [--receivers 1] [--pg postgres://…]
 *
 * wafleet runs in this process (SQLite in a temp dir, or PostgreSQL with --pg) with the fake engine;
 * S WORKING sessions receive inbound messages, each of which stores the message and appends a
 * `message.received` event in one transaction. A tenant webhook ('*') points to a local receiver
 * (a child process answering 200 at once, so its work does not share this event loop).
 * Two phases:
 *   burst — N messages as fast as the engine takes them: events/s delivered, latency under backlog;
 *   paced — a steady `rate` of messages for `paced-s` seconds: latency at that load.
 * Latency = event timestamp (recorded at commit time) → the receiver got the POST.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/config.ts';
import { createLogger } from '../src/logging/logger.ts';
import { createWafleet } from '../src/wafleet.ts';
import { FakeEngine } from '../src/engines/fake/fake-engine.ts';
import { dropPostgresSchema } from '../src/storage/postgres/open-postgres.ts';
import { machineLine } from './lib/machine.ts';
import { now, round, sleep, summarize } from './lib/stats.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '5000' },
    sessions: { type: 'string', default: '20' },
    rate: { type: 'string', default: '200' },
    'paced-s': { type: 'string', default: '10' },
    'endpoint-concurrency': { type: 'string', default: '8' },
    pg: { type: 'string' },
  },
});
const burstCount = Number(values.events);
const sessionCount = Number(values.sessions);
const rate = Number(values.rate);
const pacedSeconds = Number(values['paced-s']);
const log = (line: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

/** The receiver: a child process that answers 200 and reports `id arrivalMs` lines on stdout. */
const RECEIVER = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    const at = performance.timeOrigin + performance.now();
    res.writeHead(200).end();
    process.stdout.write(req.headers['x-wafleet-event-id'] + ' ' + at + '\\n');
  });
});
server.listen(0, '127.0.0.1', () => process.stderr.write('PORT ' + server.address().port + '\\n'));
`;

function startReceiver(arrivals: Map<string, number>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['-e', RECEIVER], { stdio: ['ignore', 'pipe', 'pipe'] });
  let pending = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const [id, at] = line.split(' ');
      if (id && at && !arrivals.has(id)) arrivals.set(id, Number(at));
    }
  });
  return new Promise((resolve) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      const match = /PORT (\d+)/.exec(chunk.toString());
      if (match) resolve({ child, url: `http://127.0.0.1:${match[1]}/hook` });
    });
  });
}

const dataDir = mkdtempSync(join(tmpdir(), 'wafleet-bench-webhooks-'));
/** PostgreSQL: a schema of our own, dropped at the end. */
const schema = values.pg ? `bench_webhooks_${randomBytes(4).toString('hex')}` : undefined;
const arrivals = new Map<string, number>();
const receiver = await startReceiver(arrivals);
const base = loadConfig({ WAFLEET_ADMIN_KEY: 'bench-admin-key-0123456789abcdef', WAFLEET_MASTER_KEY: randomBytes(32).toString('base64') });
const fake = new FakeEngine();
const wafleet = await createWafleet(
  {
    ...base,
    dataDir,
    databaseUrl: values.pg,
    databaseSchema: schema,
    webhooks: { ...base.webhooks, allowPrivateUrls: true, endpointConcurrency: Number(values['endpoint-concurrency']) },
  },
  { logger: createLogger('warn'), engines: [fake] },
);
await wafleet.resume();
const admin = { authorization: 'Bearer bench-admin-key-0123456789abcdef' };
const inject = async (method: 'GET' | 'POST', url: string, payload?: object) => {
  const res = await wafleet.app.inject({ method, url, headers: admin, ...(payload ? { payload } : {}) });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json() as Record<string, unknown>;
};

try {
  console.log(`# webhook delivery — ${machineLine()} · store ${values.pg ? 'postgres' : 'sqlite'}`);
  await inject('POST', '/v1/tenants', { id: 'bench', maxSessions: sessionCount + 1 });
  const sessions = Array.from({ length: sessionCount }, (_, i) => `b${i}`);
  for (const id of sessions) {
    await inject('POST', '/v1/sessions', { id, tenant: 'bench', engine: 'fake', start: true });
    while ((await wafleet.storage.sessions.get(id))?.status !== 'SCAN_QR') await sleep(5);
    await fake.sessions.get(id)!.scan();
    while ((await wafleet.storage.sessions.get(id))?.status !== 'WORKING') await sleep(5);
  }
  const hook = await inject('POST', '/v1/webhooks', { url: receiver.url, tenant: 'bench', events: ['message.received'] });
  log(`${sessionCount} sessions WORKING, webhook ${String(hook.id)}`);

  const phase = async (label: string, send: () => Promise<void>) => {
    const since = Date.now();
    const started = now();
    await send();
    const produced = now();
    const events = () => wafleet.storage.events.list({ tenantId: 'bench', types: ['message.received'], limit: 1_000_000 }).then((list) => list.filter((e) => e.timestamp >= since));
    let expected = await events();
    const deadline = Date.now() + 600_000;
    while (expected.some((e) => !arrivals.has(e.id)) && Date.now() < deadline) {
      await sleep(20);
      expected = await events();
    }
    const done = Math.max(...expected.map((e) => arrivals.get(e.id) ?? 0));
    const latency = summarize(expected.map((e) => arrivals.get(e.id)! - e.timestamp));
    const seconds = (done - started) / 1000;
    const row = {
      phase: label,
      events: expected.length,
      produceS: round((produced - started) / 1000, 2),
      deliveredPerS: round(expected.length / seconds, 0),
      p50ms: round(latency.p50, 1),
      p90ms: round(latency.p90, 1),
      p99ms: round(latency.p99, 1),
      maxMs: round(latency.max, 1),
    };
    console.log(JSON.stringify(row));
    return row;
  };

  let n = 0;
  const one = () => fake.sessions.get(sessions[n++ % sessionCount]!)!.receive('15550009999', `bench ${n}`);
  const rows = [];
  rows.push(await phase(`burst ${burstCount}`, async () => {
    for (let i = 0; i < burstCount; i += 1) {
      one();
      if (i % 200 === 199) await sleep(0); // let the engine's events be handled
    }
  }));
  rows.push(await phase(`paced ${rate}/s × ${pacedSeconds}s`, async () => {
    const total = rate * pacedSeconds;
    const start = now();
    for (let i = 0; i < total; i += 1) {
      const due = start + (i * 1000) / rate;
      const wait = due - now();
      if (wait > 1) await sleep(wait);
      one();
    }
  }));
  const deliveries = await inject('GET', `/v1/webhooks/${String(hook.id)}/deliveries?status=dead&limit=10`);
  console.log(`dead letters: ${(deliveries.items as unknown[]).length}`);
  console.log('\n| phase | events | delivered/s | p50 ms | p90 ms | p99 ms | max ms |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) console.log(`| ${r.phase} | ${r.events} | ${r.deliveredPerS} | ${r.p50ms} | ${r.p90ms} | ${r.p99ms} | ${r.maxMs} |`);
} finally {
  await wafleet.close();
  receiver.child.kill();
  rmSync(dataDir, { recursive: true, force: true });
  if (values.pg && schema) await dropPostgresSchema(values.pg, schema);
}
