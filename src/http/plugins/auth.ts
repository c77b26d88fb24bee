/** API key authentication for /v1: `Authorization: Bearer <key>` or `X-Api-Key: <key>`. */
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal } from '../../auth/principal.ts';
import type { ApiKeyService } from '../../auth/api-key-service.ts';
import { AppError } from '../../errors/app-error.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
  }
}

const QUERY_KEY = Symbol('wafleet.queryKey');
type RawWithKey = IncomingMessage & { [QUERY_KEY]?: string };

function isWebSocketUpgrade(raw: IncomingMessage): boolean {
  return raw.headers.upgrade?.toLowerCase() === 'websocket';
}

/**
 * Browsers cannot set headers on a WebSocket, so the event stream also takes `?key=`. Used as
 * fastify's rewriteUrl: the key moves off the URL (kept on the raw request) before anything logs it.
 */
export function stripQueryKey(raw: IncomingMessage): string {
  const url = raw.url ?? '/';
  if (!isWebSocketUpgrade(raw) || !url.includes('key=')) return url;
  const parsed = new URL(url, 'http://local');
  const key = parsed.searchParams.get('key');
  if (key) (raw as RawWithKey)[QUERY_KEY] = key;
  parsed.searchParams.delete('key');
  return parsed.pathname + parsed.search;
}

export function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.toLowerCase().startsWith('bearer ')) return header.slice(7).trim() || undefined;
  const apiKey = request.headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey) return apiKey;
  return (request.raw as RawWithKey)[QUERY_KEY];
}

export function registerAuth(app: FastifyInstance, keys: ApiKeyService): void {
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request) => {
    // A WebSocket client hears about a bad key as close code 4401 from the handler, not as an HTTP 401.
    if (isWebSocketUpgrade(request.raw)) {
      request.principal = await keys.authenticate(presentedKey(request)).catch(() => undefined);
      return;
    }
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
