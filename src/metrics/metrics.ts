/**
 * Prometheus metrics. One registry per app (no global state). Labels are bounded:
 * never session, tenant or chat ids.
 */
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { SessionStatus } from '../domain/session.ts';
import { SESSION_STATUSES } from '../domain/session.ts';
import { RequestWindow } from './request-window.ts';

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  /** The node's recent API latency and errors (its live stats). */
  requests: RequestWindow;
}

export function createMetrics(
  countSessions: () => Promise<Array<{ status: SessionStatus; engine: string; count: number }>>,
  engineNames: readonly string[],
): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'wafleet_process_' });
  const httpDuration = new Histogram({
    name: 'wafleet_http_request_duration_seconds',
    help: 'HTTP request durations by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  new Gauge({
    name: 'wafleet_sessions',
    help: 'Sessions by status and engine',
    labelNames: ['status', 'engine'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      // Report every known combination so a status that empties shows 0 rather than vanishing.
      for (const engine of engineNames) for (const status of SESSION_STATUSES) this.set({ status, engine }, 0);
      for (const row of await countSessions()) this.set({ status: row.status, engine: row.engine }, row.count);
    },
  });
  return { registry, httpDuration, requests: new RequestWindow() };
}
