/**
 * Health checks and Prometheus scrapes arrive every few seconds, forever: at info they would bury
 * every other request line. Their request lines go to debug; every other route keeps info.
 */
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

const PROBE_PATHS = new Set(['/health', '/ready', '/metrics']);

function isProbe(request: FastifyRequest): boolean {
  const path = request.url.split('?')[0] ?? '';
  return PROBE_PATHS.has(path);
}

export class ProbeQuietLogController extends LogController {
  override incomingRequest(request: FastifyRequest, reply: FastifyReply): void {
    if (!isProbe(request)) return super.incomingRequest(request, reply);
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (!isProbe(request) || error) return super.requestCompleted(error, request, reply);
    reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}
