import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../../metrics/metrics.ts';
import { AppError } from '../../errors/app-error.ts';
import { sendError } from '../plugins/errors.ts';

export function registerSystemRoutes(app: FastifyInstance, deps: { ping: () => Promise<void>; metrics: Metrics }): void {
  app.get('/health', { schema: { tags: ['system'], summary: 'Liveness: the process answers' } }, async () => ({ status: 'ok' }));

  app.get('/ready', { schema: { tags: ['system'], summary: 'Readiness: the store answers' } }, async (request, reply) => {
    try {
      await deps.ping();
      return { status: 'ready' };
    } catch (error) {
      request.log.warn({ err: error }, 'store not reachable');
      return sendError(reply, request, new AppError('STORE_UNAVAILABLE'));
    }
  });

  app.get('/metrics', { schema: { tags: ['system'], summary: 'Prometheus metrics' } }, async (_request, reply) => {
    reply.header('content-type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
}
