/** Tenant pacing defaults: what every session of the tenant gets unless its config.pacing says otherwise. */
import type { FastifyInstance } from 'fastify';
import type { PacingPolicy } from '../../outbound/pacing-policy.ts';
import { principalOf } from '../plugins/auth.ts';
import { errorResponses, slug } from '../schemas/common.ts';
import { pacingConfig } from '../schemas/outbound.ts';

const params = { type: 'object', properties: { tenant: slug }, required: ['tenant'] } as const;
const view = {
  type: 'object',
  properties: { tenantId: { type: 'string' }, override: { type: 'object', additionalProperties: true }, effective: { type: 'object', additionalProperties: true } },
} as const;

export function registerPacingRoutes(app: FastifyInstance, deps: { pacing: PacingPolicy }): void {
  app.get<{ Params: { tenant: string } }>('/v1/tenants/:tenant/pacing', {
    schema: { tags: ['tenants'], summary: "The tenant's pacing defaults (admin, or the tenant's key with scope read)", params, response: { 200: view, ...errorResponses } },
  }, async (request) => deps.pacing.tenantView(principalOf(request), request.params.tenant));

  app.put<{ Params: { tenant: string }; Body: Record<string, unknown> }>('/v1/tenants/:tenant/pacing', {
    schema: {
      tags: ['tenants'],
      summary: "Replace the tenant's pacing defaults (admin, or the tenant's key with scope manage); {} clears them",
      params,
      body: pacingConfig,
      response: { 200: view, ...errorResponses },
    },
  }, async (request) => deps.pacing.setTenant(principalOf(request), request.params.tenant, request.body));
}
