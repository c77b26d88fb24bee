/** Outbound metrics with bounded labels only (result), never session or chat ids. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export function registerOutboundMetrics(registry: Registry, totalDepth: () => Promise<number>): { settled(result: 'sent' | 'failed', waitMs: number): void } {
  new Gauge({
    name: 'wafleet_outbound_queue_depth',
    help: 'Messages accepted and waiting in the outbound queues of all sessions',
    registers: [registry],
    async collect() {
      this.set(await totalDepth());
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
