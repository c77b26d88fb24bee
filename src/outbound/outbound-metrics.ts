/** Outbound metrics with bounded labels only (result), never session or chat ids. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { QueueDepth } from '../storage/outbound-ports.ts';

export function registerOutboundMetrics(registry: Registry, totals: () => Promise<QueueDepth>, now: () => number): { settled(result: 'sent' | 'failed', waitMs: number): void } {
  // One read serves both gauges of a scrape.
  let pending: Promise<QueueDepth> | undefined;
  const read = (): Promise<QueueDepth> => {
    pending ??= totals().finally(() => setImmediate(() => (pending = undefined)));
    return pending;
  };
  new Gauge({
    name: 'wafleet_outbound_queue_depth',
    help: 'Messages accepted and waiting in the outbound queues of all sessions',
    registers: [registry],
    async collect() {
      this.set((await read()).depth);
    },
  });
  new Gauge({
    name: 'wafleet_outbound_oldest_wait_seconds',
    help: 'How long the oldest message still queued (any session) has waited; 0 when all queues are empty',
    registers: [registry],
    async collect() {
      const { oldestEnqueuedAt } = await read();
      this.set(oldestEnqueuedAt === null ? 0 : Math.max(0, now() - oldestEnqueuedAt) / 1000);
    },
  });
  const wait = new Histogram({
    name: 'wafleet_outbound_wait_seconds',
    help: 'Time from acceptance to outcome (pacing, queueing and the send itself), by result',
    labelNames: ['result'] as const,
    buckets: [0.05, 0.25, 1, 5, 15, 60, 300, 900, 3600, 86_400],
    registers: [registry],
  });
  const total = new Counter({
    name: 'wafleet_outbound_messages_total',
    help: 'Messages that left the outbound queue, by result',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  return {
    settled(result, waitMs) {
      wait.observe({ result }, waitMs / 1000);
      total.inc({ result });
    },
  };
}
