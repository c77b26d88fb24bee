/**
 * DELETE /v1/tenants/{tenant} (admin): logs out (or only stops) every session of the tenant and
 * removes all of its data; answers once the tenant is gone. A session another node runs is logged
 * out there, through that node, with the caller's own key (as bulk session calls are).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SessionForwarding } from '../../cluster/session-forwarding.ts';
import { actorOf } from '../../auth/principal.ts';
import type { PassOn, TenantDeletionService } from '../../tenants/tenant-deletion.ts';
import { clientIp } from '../plugins/forwarding.ts';
import { principalOf, requireAdmin } from '../plugins/auth.ts';
import { errorResponses, slug } from '../schemas/common.ts';

interface DeleteQuery {
  logout: boolean;
  force: boolean;
}

/** Logout/stop of a session on the node that holds its lease; false when that is this node (or none). */
function passOnVia(request: FastifyRequest, forwarding: SessionForwarding): PassOn {
  return async (sessionId, action) => {
    const route = await forwarding.route(sessionId);
    if (route.local) return false;
    const answer = await forwarding.hops.send(route, {
      method: 'POST',
      url: `/v1/sessions/${encodeURIComponent(sessionId)}/${action}`,
      headers: { authorization: request.headers.authorization, 'x-api-key': request.headers['x-api-key'], 'x-request-id': request.id },
      body: undefined,
      clientIp: clientIp(request),
    });
    if (!answer) return false;
    for await (const _chunk of answer.body) { /* drain */ }
    return answer.statusCode < 300;
  };
}

export function registerTenantDeleteRoute(app: FastifyInstance, deps: { tenantDeletion: TenantDeletionService; forwarding: SessionForwarding }): void {
  app.delete<{ Params: { tenant: string }; Querystring: DeleteQuery }>('/v1/tenants/:tenant', {
    schema: {
      tags: ['tenants'],
      summary: 'Delete a tenant and everything it has (admin): sessions (logged out unless logout=false), keys, users, webhooks, messages, media, auth state, events',
      description: 'Answers 204 once the tenant is gone. The request is stored first: if the process stops half way, the deletion finishes at the next start. 409 TENANT_HAS_RUNNING_JOBS while a bulk job runs, unless force=true.',
      params: { type: 'object', properties: { tenant: slug }, required: ['tenant'] },
      querystring: {
        type: 'object',
        properties: {
          logout: { type: 'boolean', default: true, description: 'false: keep the phones linked, drop only the data' },
          force: { type: 'boolean', default: false, description: 'true: delete even while bulk jobs run (their queued messages are dropped)' },
        },
        additionalProperties: false,
      },
      response: { 204: { type: 'null' }, ...errorResponses },
    },
  }, async (request, reply) => {
    requireAdmin(request);
    const actor = actorOf(principalOf(request));
    await deps.tenantDeletion.delete(request.params.tenant, {
      logout: request.query.logout,
      force: request.query.force,
      actor: { actorType: actor.type, actorId: actor.id, requestId: request.id, sourceIp: clientIp(request) },
      passOn: passOnVia(request, deps.forwarding),
    });
    // The deletion wrote its own audit rows (started, and ok with the tenant's removal); a failure
    // before it began is recorded by the audit hook.
    request.audit = { skip: true };
    return reply.status(204).send();
  });
}
