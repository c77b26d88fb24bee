/**
 * The audit hook: every state-changing call (not GET/HEAD/OPTIONS) by a key or a user becomes one
 * audit row once answered — action from the route's `config.audit` or derived from the route, the
 * resource from its parameters, the result `ok` or the error code. Routes may refine the row through
 * `request.audit` (a login names the user it was for). Calls with no credential are not rows, except
 * on routes that name their action (login), so failed logins are recorded but noise is not.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditLog } from '../../audit/audit-log.ts';
import { deriveAction, deriveResource } from '../../audit/action-names.ts';
import { actorOf } from '../../auth/principal.ts';

export interface AuditNote {
  /** Not worth a row (a refresh attempt with no token at all: every logged-out page load makes one). */
  skip?: boolean;
  actorId?: string;
  tenantId?: string | null;
  resource?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    audit: AuditNote | undefined;
  }
  interface FastifyContextConfig {
    /** Audit action name (`session.create`); false: not audited. */
    audit?: string | false;
  }
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
const AUDIT_STATE = Symbol('wafleet.audit');
type WithState = FastifyRequest & { [AUDIT_STATE]?: { code?: string; createdId?: string; sessionTenant?: string } };

export interface AuditHookDeps {
  /** false (WAFLEET_AUDIT=false): the hooks are not installed, nothing is recorded. */
  enabled: boolean;
  audit: AuditLog;
  /** The tenant of a session, for calls by admins (who name no tenant) on /v1/sessions/:id… routes. */
  tenantOfSession(id: string): Promise<string | undefined>;
}

function bodyTenant(body: unknown): string | undefined {
  return typeof body === 'object' && body !== null && typeof (body as { tenant?: unknown }).tenant === 'string' ? (body as { tenant: string }).tenant : undefined;
}

export function registerAuditHook(app: FastifyInstance, deps: AuditHookDeps): void {
  app.decorateRequest('audit', undefined);
  if (!deps.enabled) return;

  app.addHook('preHandler', async (request) => {
    if (READS.has(request.method) || request.principal?.kind !== 'admin') return;
    const id = (request.params as { id?: unknown } | undefined)?.id;
    if (typeof id === 'string' && request.routeOptions.url?.startsWith('/v1/sessions/:id')) {
      const tenant = await deps.tenantOfSession(id).catch(() => undefined);
      if (tenant) (request as WithState)[AUDIT_STATE] = { sessionTenant: tenant };
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (READS.has(request.method) || typeof payload !== 'string') return payload;
    const state = ((request as WithState)[AUDIT_STATE] ??= {});
    if (reply.statusCode >= 400) state.code = /"code":"([A-Z_]+)"/.exec(payload)?.[1];
    else if (reply.statusCode === 201 || reply.statusCode === 202) state.createdId = /^\{"id":"([^"]{1,200})"/.exec(payload)?.[1];
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    const config = request.routeOptions.config;
    const routeUrl = request.routeOptions.url;
    if (READS.has(request.method) || !routeUrl || config.audit === false || request.raw.headers.upgrade) return;
    const principal = request.principal;
    if (!principal && typeof config.audit !== 'string') return;
    const state = (request as WithState)[AUDIT_STATE] ?? {};
    const note = request.audit ?? {};
    if (note.skip) return;
    const actor = principal ? actorOf(principal) : undefined;
    const params = (request.params ?? {}) as Record<string, unknown>;
    const tenantId = note.tenantId !== undefined ? note.tenantId
      : principal?.kind === 'tenant' ? principal.tenantId
      : ((params.tenant as string | undefined) ?? bodyTenant(request.body) ?? state.sessionTenant ?? null);
    deps.audit.record({
      actorType: note.actorId ? 'user' : (actor?.type ?? 'anonymous'),
      actorId: note.actorId ?? actor?.id ?? null,
      tenantId,
      action: typeof config.audit === 'string' ? config.audit : deriveAction(request.method, routeUrl),
      resource: note.resource ?? deriveResource(routeUrl, params, state.createdId),
      result: reply.statusCode < 400 ? 'ok' : (state.code ?? `HTTP_${reply.statusCode}`),
      statusCode: reply.statusCode,
      requestId: request.id,
      // Through another node of the cluster: the address that node saw.
      sourceIp: request.hopClientIp ?? request.ip,
    });
  });
}
