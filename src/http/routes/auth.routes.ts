/**
 * Logins: `POST /v1/auth/login|refresh|logout|password`, `GET /v1/auth/me`. With `"cookies": true`
 * (the dashboard) the tokens travel only in httpOnly, SameSite=Strict cookies and the body carries
 * the CSRF token instead; otherwise the tokens are in the body for API clients.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LoginService, IssuedLogin } from '../../auth/login-service.ts';
import type { UserService } from '../../auth/user-service.ts';
import { canManageTenant, tenantOf } from '../../auth/principal.ts';
import { KEY_SCOPES } from '../../domain/records.ts';
import { normalizeEmail } from '../../domain/users.ts';
import { AppError } from '../../errors/app-error.ts';
import { ACCESS_COOKIE, CSRF_COOKIE, REFRESH_COOKIE, checkCsrf, principalOf } from '../plugins/auth.ts';
import { errorBody, errorResponses } from '../schemas/common.ts';
import { email, loginAnswer, me, password } from '../schemas/users.ts';

export interface AuthRouteDeps {
  logins: LoginService;
  users: UserService;
  cookieSecure: 'auto' | 'always' | 'never';
}

const REFRESH_PATH = '/v1/auth';

export function registerAuthRoutes(app: FastifyInstance, deps: AuthRouteDeps): void {
  const { logins } = deps;
  const secure = (request: FastifyRequest) => deps.cookieSecure === 'always' || (deps.cookieSecure === 'auto' && request.protocol === 'https');

  function answer(request: FastifyRequest, reply: FastifyReply, issued: IssuedLogin, cookies: boolean) {
    if (!cookies) {
      const { sessionId: _sessionId, ...body } = issued;
      return body;
    }
    const base = { httpOnly: true, sameSite: 'strict', secure: secure(request) } as const;
    const csrfSecret = request.cookies[CSRF_COOKIE] ?? logins.newCsrfSecret();
    reply.setCookie(ACCESS_COOKIE, issued.accessToken, { ...base, path: '/', maxAge: issued.expiresIn });
    reply.setCookie(REFRESH_COOKIE, issued.refreshToken, { ...base, path: REFRESH_PATH, expires: new Date(issued.refreshExpiresAt) });
    reply.setCookie(CSRF_COOKIE, csrfSecret, { ...base, path: '/', expires: new Date(issued.refreshExpiresAt) });
    return { user: issued.user, expiresIn: issued.expiresIn, refreshExpiresAt: issued.refreshExpiresAt, csrfToken: logins.csrfToken(csrfSecret, issued.sessionId) };
  }

  function clearCookies(reply: FastifyReply) {
    reply.clearCookie(ACCESS_COOKIE, { path: '/' });
    reply.clearCookie(REFRESH_COOKIE, { path: REFRESH_PATH });
    reply.clearCookie(CSRF_COOKIE, { path: '/' });
  }

  app.post<{ Body: { email: string; password: string; cookies?: boolean } }>('/v1/auth/login', {
    config: { public: true, audit: 'auth.login' },
    schema: {
      tags: ['auth'],
      summary: 'Log in with email and password: an access token (JWT) and a rotating refresh token',
      security: [],
      body: { type: 'object', properties: { email, password, cookies: { type: 'boolean', default: false } }, required: ['email', 'password'], additionalProperties: false },
      response: { 200: loginAnswer, ...errorResponses, 429: errorBody },
    },
  }, async (request, reply) => {
    request.audit = { resource: `users/${normalizeEmail(request.body.email).slice(0, 254)}`, tenantId: null };
    const issued = await logins.login(request.body.email, request.body.password, request.ip);
    request.audit = { actorId: issued.user.id, resource: `users/${issued.user.id}`, tenantId: issued.user.tenantId };
    return answer(request, reply, issued, request.body.cookies ?? false);
  });

  app.post<{ Body: { refreshToken?: string } | undefined }>('/v1/auth/refresh', {
    config: { public: true, audit: 'auth.refresh' },
    schema: {
      tags: ['auth'],
      summary: 'Exchange a refresh token (body, or the dashboard cookie) for a new pair; the old one stops working',
      security: [],
      body: { type: ['object', 'null'], properties: { refreshToken: { type: 'string', minLength: 1, maxLength: 200 } }, additionalProperties: false },
      response: { 200: loginAnswer, ...errorResponses },
    },
  }, async (request, reply) => {
    const fromBody = request.body?.refreshToken;
    const presented = fromBody ?? request.cookies[REFRESH_COOKIE];
    if (!presented) request.audit = { skip: true };
    if (!fromBody && presented) {
      const family = await logins.familyOf(presented);
      if (family) checkCsrf(request, logins, family);
    }
    try {
      const issued = await logins.refresh(presented);
      request.audit = { actorId: issued.user.id, resource: `users/${issued.user.id}`, tenantId: issued.user.tenantId };
      return answer(request, reply, issued, !fromBody);
    } catch (error) {
      if (!fromBody) clearCookies(reply);
      throw error;
    }
  });

  app.post('/v1/auth/logout', {
    config: { audit: 'auth.logout' },
    schema: { tags: ['auth'], summary: 'End this login: its refresh tokens are revoked and its access tokens refused', response: { 204: { type: 'null' }, ...errorResponses } },
  }, async (request, reply) => {
    const principal = principalOf(request);
    if (!principal.user) throw new AppError('FORBIDDEN', 'API keys do not log in or out: revoke the key instead (DELETE /v1/keys/{keyId}).');
    await logins.logout(principal.user.sessionId);
    request.audit = { resource: `users/${principal.user.id}` };
    clearCookies(reply);
    return reply.status(204).send();
  });

  app.post<{ Body: { currentPassword: string; newPassword: string } }>('/v1/auth/password', {
    config: { audit: 'user.password' },
    schema: {
      tags: ['auth'],
      summary: 'Change your own password; every login of yours ends, log in again',
      body: { type: 'object', properties: { currentPassword: password, newPassword: password }, required: ['currentPassword', 'newPassword'], additionalProperties: false },
      response: { 204: { type: 'null' }, ...errorResponses },
    },
  }, async (request, reply) => {
    const principal = principalOf(request);
    if (principal.user) request.audit = { resource: `users/${principal.user.id}` };
    await deps.users.changeOwnPassword(principal, request.body.currentPassword, request.body.newPassword);
    clearCookies(reply);
    return reply.status(204).send();
  });

  app.get('/v1/auth/me', {
    schema: { tags: ['auth'], summary: 'Who is calling: the user or key, its tenant, role and scopes (and the CSRF token for the dashboard)', response: { 200: me, ...errorResponses } },
  }, async (request) => {
    const principal = principalOf(request);
    const user = principal.user ? await deps.users.self(principal.user.id) : null;
    const tenantId = tenantOf(principal) ?? null;
    const secret = request.cookies[CSRF_COOKIE];
    return {
      kind: principal.user ? 'user' : 'key',
      user,
      keyId: principal.user ? null : principal.keyId,
      admin: principal.kind === 'admin',
      tenantId,
      role: principal.user?.role ?? null,
      scopes: principal.kind === 'admin' ? [...KEY_SCOPES] : [...principal.scopes],
      canManageTenant: tenantId === null ? principal.kind === 'admin' : canManageTenant(principal, tenantId),
      csrfToken: request.viaCookie && secret && principal.user ? logins.csrfToken(secret, principal.user.sessionId) : null,
    };
  });
}
