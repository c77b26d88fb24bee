/**
 * Benchmark: the send queue's head (`outbound.next`, twice per sent message) against the size of a
 * paused bulk job queued ahead of the session's other sends.
 *   npm run bench:queue -- [--paused 0,100,1000,10000] [--calls 200] [--pg URL]
 *
 * One session; a bulk job in status paused with N queued messages, then one single send behind
 * them. Each call must return the single send; a paused job's messages must cost nothing.
 */
import { parseArgs } from 'node:util';
import type { QueuedSend } from '../src/storage/outbound-ports.ts';
import { machineLine } from './lib/machine.ts';
import { now } from './lib/stats.ts';
import { microsecondCells, printReport, withBenchStorage } from './lib/storage-bench.ts';

const { values } = parseArgs({
  options: {
    paused: { type: 'string', default: '0,100,1000,10000' },
    calls: { type: 'string', default: '200' },
    pg: { type: 'string' },
  },
});
const sizes = values.paused.split(',').map(Number);
const calls = Number(values.calls);
const T0 = 1_700_000_000_000;

function queued(i: number, bulkJobId: string | null): QueuedSend {
  const n = String(i).padStart(10, '0');
  return { sessionId: 's1', messageId: `m${n}`, tenantId: 't1', seq: `01S${n}`, chatId: '491511111111@s.whatsapp.net', payload: '{}', bulkJobId, attempts: 0, enqueuedAt: T0 };
}

async function measure(paused: number): Promise<string> {
  return withBenchStorage(values.pg, 'queue', async (storage) => {
    await storage.tenants.create({ id: 't1', name: 'Tenant', maxSessions: 10, createdAt: T0 });
    await storage.sessions.create({ id: 's1', tenantId: 't1', engine: 'fake', status: 'STOPPED', statusReason: null, desiredState: 'stopped', config: {}, me: null, createdAt: T0, updatedAt: T0 });
    await storage.bulkJobs.create({ id: 'job', tenantId: 't1', sessionId: 's1', status: 'paused', total: paused, createdAt: T0, updatedAt: T0 }, []);
    for (let start = 0; start < paused; start += 1000) {
      await storage.outbound.enqueue(Array.from({ length: Math.min(1000, paused - start) }, (_, k) => queued(start + k, 'job')));
    }
    await storage.outbound.enqueue([queued(paused, null)]);
    const times: number[] = [];
    for (let call = 0; call < calls; call++) {
      const t0 = now();
      const head = await storage.outbound.next('s1');
      times.push(now() - t0);
      if (head?.bulkJobId !== null) throw new Error(`expected the single send, got ${head?.messageId}`);
    }
    const line = `| ${paused} | ${calls} | ${microsecondCells(times)} |`;
    console.error(line);
    return line;
  });
}

console.error(`machine: ${machineLine()}`);
const lines: string[] = [];
for (const size of sizes) lines.push(await measure(size));
printReport('queue head benchmark', values.pg, `npm run bench:queue -- --paused ${values.paused} --calls ${calls}`,
  ['messages of a paused bulk job ahead', 'calls', 'next() µs, mean', 'next() µs, p50 / p99'], lines);
