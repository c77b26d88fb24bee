/** API key authentication for /v1: `Authorization: Bearer <key>` or `X-Api-Key: <key>`. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal } from '../../auth/principal.ts';
import type { ApiKeyService } from '../../auth/api-key-service.ts';
import { AppError } from '../../errors/app-error.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
  }
}

export function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.toLowerCase().startsWith('bearer ')) return header.slice(7).trim() || undefined;
  const apiKey = request.headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey ? apiKey : undefined;
}

export function registerAuth(app: FastifyInstance, keys: ApiKeyService): void {
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request) => {
    request.principal = await keys.authenticate(presentedKey(request));
  });
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('UNAUTHORIZED');
  return request.principal;
}

export function requireAdmin(request: FastifyRequest): void {
  if (principalOf(request).kind !== 'admin') throw new AppError('FORBIDDEN', 'This needs an admin key.');
}
