/** Outbox and delivery metrics. Labels are bounded: delivery status and attempt result only. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { DeliveryStatus } from '../domain/webhooks.ts';

export type AttemptResultLabel = 'delivered' | 'retry' | 'dead';

export interface WebhookMetrics {
  attempt(result: AttemptResultLabel, attemptSeconds: number): void;
  /** Event creation → successful delivery. */
  delivered(latencySeconds: number): void;
}

export function registerWebhookMetrics(registry: Registry, countByStatus: () => Promise<Record<DeliveryStatus, number>>): WebhookMetrics {
  new Gauge({
    name: 'wafleet_outbox_deliveries',
    help: 'Webhook deliveries in the outbox by status (pending and delivering are the backlog, dead the dead letters)',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const counts = await countByStatus();
      for (const [status, count] of Object.entries(counts)) this.set({ status }, count);
    },
  });
  const attempts = new Counter({
    name: 'wafleet_webhook_attempts_total',
    help: 'Webhook delivery attempts by result',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const attemptDuration = new Histogram({
    name: 'wafleet_webhook_attempt_duration_seconds',
    help: 'Duration of one webhook HTTP attempt',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'wafleet_webhook_delivery_latency_seconds',
    help: 'Time from an event being recorded to its successful webhook delivery',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600],
    registers: [registry],
  });
  for (const result of ['delivered', 'retry', 'dead'] as const) attempts.inc({ result }, 0);
  return {
    attempt(result, seconds) {
      attempts.inc({ result });
      attemptDuration.observe(seconds);
    },
    delivered(seconds) {
      latency.observe(Math.max(0, seconds));
    },
  };
}
