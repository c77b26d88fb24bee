/**
 * Authentication for /v1: an API key (`Authorization: Bearer <key>` or `X-Api-Key: <key>`), a
 * user's access token (`Authorization: Bearer <jwt>`), or the dashboard's httpOnly cookies. Calls
 * that change something on the strength of a cookie must carry the login's CSRF token in
 * `X-CSRF-Token` (a cross-site page can make the browser send the cookie, but cannot read the token).
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal } from '../../auth/principal.ts';
import type { ApiKeyService } from '../../auth/api-key-service.ts';
import type { LoginService } from '../../auth/login-service.ts';
import { looksLikeJwt } from '../../auth/access-tokens.ts';
import { AppError } from '../../errors/app-error.ts';
import type {} from '@fastify/cookie';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
    /** True when the principal came from the dashboard's cookie (CSRF applies). */
    viaCookie: boolean;
  }
  interface FastifyContextConfig {
    /** The route answers without a credential (login, refresh); one presented is still used. */
    public?: boolean;
  }
}

export const ACCESS_COOKIE = 'wafleet_access';
export const REFRESH_COOKIE = 'wafleet_refresh';
export const CSRF_COOKIE = 'wafleet_csrf';
export const CSRF_HEADER = 'x-csrf-token';

const QUERY_KEY = Symbol('wafleet.queryKey');
type RawWithKey = IncomingMessage & { [QUERY_KEY]?: string };
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

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

export interface AuthDeps {
  keys: ApiKeyService;
  logins: LoginService;
}

async function authenticate(request: FastifyRequest, deps: AuthDeps): Promise<Principal> {
  const presented = presentedKey(request);
  if (presented && looksLikeJwt(presented)) {
    const principal = await deps.logins.authenticate(presented);
    if (!principal) throw new AppError('UNAUTHORIZED', 'The access token is invalid, expired or its login ended: refresh it (POST /v1/auth/refresh) or log in again.');
    return principal;
  }
  const cookie = request.cookies[ACCESS_COOKIE];
  if (!presented && cookie) {
    const principal = await deps.logins.authenticate(cookie);
    if (!principal) throw new AppError('UNAUTHORIZED', 'Your login has expired or ended: log in again.');
    request.viaCookie = true;
    return principal;
  }
  return deps.keys.authenticate(presented);
}

export function checkCsrf(request: FastifyRequest, logins: LoginService, sessionId: string): void {
  const header = request.headers[CSRF_HEADER];
  if (!logins.csrfValid(request.cookies[CSRF_COOKIE], typeof header === 'string' ? header : undefined, sessionId)) throw new AppError('CSRF_TOKEN_INVALID');
}

export function registerAuth(app: FastifyInstance, deps: AuthDeps): void {
  app.decorateRequest('principal', undefined);
  app.decorateRequest('viaCookie', false);
  app.addHook('onRequest', async (request) => {
    // A WebSocket client hears about a bad key as close code 4401 from the handler, not as an HTTP 401.
    if (isWebSocketUpgrade(request.raw) || request.routeOptions.config.public) {
      request.principal = await authenticate(request, deps).catch(() => undefined);
      return;
    }
    request.principal = await authenticate(request, deps);
    if (request.viaCookie && !SAFE_METHODS.has(request.method) && request.principal.user) {
      checkCsrf(request, deps.logins, request.principal.user.sessionId);
    }
  });
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('UNAUTHORIZED');
  return request.principal;
}

export function requireAdmin(request: FastifyRequest): void {
  if (principalOf(request).kind !== 'admin') throw new AppError('FORBIDDEN', 'This needs an admin key or an admin user.');
}
