import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../../metrics/metrics.ts';

/** Times every request by its route pattern (bounded), never by its raw URL. */
export function registerRequestMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpDuration.observe(
      { method: request.method, route, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    metrics.requests.observe(reply.elapsedTime, reply.statusCode);
  });
}
