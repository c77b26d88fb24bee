/**
 * Benchmark: the webhook dispatcher's claim (`deliveries.claimDue`) against the depth of one
 * session's backlog.
 *   npm run bench:claim -- [--depths 100,1000,10000] [--rounds 200] [--groups 20] [--pg URL]
 *
 * One webhook; one session ("deep") with `depth` pending deliveries, plus `groups` other sessions
 * with one pending delivery each. A round is what the dispatcher does for an ordered stream: claim
 * what may go (the deep session's head and any other head), then record the claimed deliveries as
 * delivered, so the next round finds the next head. Reports the claim's time per round; an ordered
 * backlog must not make every round slower.
 */
import { parseArgs } from 'node:util';
import type { DeliveryRecord } from '../src/domain/webhooks.ts';
import type { Storage } from '../src/storage/ports.ts';
import { machineLine } from './lib/machine.ts';
import { now } from './lib/stats.ts';
import { microsecondCells, printReport, withBenchStorage } from './lib/storage-bench.ts';

const { values } = parseArgs({
  options: {
    depths: { type: 'string', default: '100,1000,10000' },
    rounds: { type: 'string', default: '200' },
    groups: { type: 'string', default: '20' },
    pg: { type: 'string' },
  },
});
const depths = values.depths.split(',').map(Number);
const rounds = Number(values.rounds);
const groups = Number(values.groups);
const T0 = 1_700_000_000_000;

function delivery(n: number, orderKey: string): DeliveryRecord {
  const id = String(n).padStart(12, '0');
  return {
    id: `d${id}`, webhookId: 'w1', eventId: `01E${id}`, eventType: 'message.received', tenantId: 't1', orderKey,
    status: 'pending', attempts: 0, nextAttemptAt: T0, windowStartedAt: T0, lastAttemptAt: null, lastStatusCode: null,
    lastError: null, lastLatencyMs: null, deliveredAt: null, createdAt: T0, updatedAt: T0,
  };
}

async function seed(storage: Storage, depth: number): Promise<void> {
  await storage.tenants.create({ id: 't1', name: 'Tenant', maxSessions: 1000, createdAt: T0 });
  await storage.webhooks.create({
    id: 'w1', tenantId: 't1', sessionId: null, url: 'https://example.com/hook', events: ['*'], headers: '{}', secret: 'sealed',
    enabled: true, description: null, createdAt: T0, updatedAt: T0,
  });
  const rows = Array.from({ length: depth }, (_, i) => delivery(i, 'deep'));
  for (let g = 0; g < groups; g++) rows.push(delivery(depth + g, `other-${g}`));
  for (let start = 0; start < rows.length; start += 1000) await storage.deliveries.enqueue(rows.slice(start, start + 1000));
}

async function measure(depth: number): Promise<string> {
  return withBenchStorage(values.pg, 'claim', async (storage) => {
    await seed(storage, depth);
    const times: number[] = [];
    let claimed = 0;
    for (let round = 0; round < rounds; round++) {
      const at = T0 + 1000 + round;
      const t0 = now();
      const picked = await storage.deliveries.claimDue(at, 16, () => 16);
      times.push(now() - t0);
      claimed += picked.length;
      for (const d of picked) {
        await storage.deliveries.finish(d.id, { status: 'delivered', attempts: 1, nextAttemptAt: at, lastAttemptAt: at, lastStatusCode: 200, lastError: null, lastLatencyMs: 1, deliveredAt: at }, at);
      }
    }
    const line = `| ${depth} | ${rounds} | ${claimed} | ${microsecondCells(times)} |`;
    console.error(line);
    return line;
  });
}

console.error(`machine: ${machineLine()}`);
const lines: string[] = [];
for (const depth of depths) lines.push(await measure(depth));
printReport('webhook claim benchmark', values.pg, `npm run bench:claim -- --depths ${values.depths} --rounds ${rounds} --groups ${groups}`,
  ['backlog on one session', 'rounds', 'claimed', 'claim µs, mean', 'claim µs, p50 / p99'], lines);
