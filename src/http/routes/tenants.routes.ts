import type { FastifyInstance } from 'fastify';
import type { TenantService } from '../../tenants/tenant-service.ts';
import type { ApiKeyService } from '../../auth/api-key-service.ts';
import type { KeyScope } from '../../domain/records.ts';
import { AppError } from '../../errors/app-error.ts';
import { principalOf, requireAdmin } from '../plugins/auth.ts';
import { canManageTenant } from '../../auth/principal.ts';
import type { FastifyRequest } from 'fastify';
import { apiKey, errorResponses, scopes, slug, tenant } from '../schemas/common.ts';

interface TenantParams {
  tenant: string;
}

/** Keys are managed by admins, and by the owner of the tenant they belong to. */
function requireTenantManager(request: FastifyRequest, tenantId: string): void {
  const principal = principalOf(request);
  if (principal.kind === 'tenant' && principal.tenantId !== tenantId) throw new AppError('TENANT_NOT_FOUND', `Tenant "${tenantId}" not found.`);
  if (!canManageTenant(principal, tenantId)) throw new AppError('FORBIDDEN', 'This needs an admin, or the owner of this tenant.');
}

const tenantParams = { type: 'object', properties: { tenant: slug }, required: ['tenant'] } as const;
const maxSessions = { type: 'integer', minimum: 0, maximum: 1_000_000 } as const;

export function registerTenantRoutes(app: FastifyInstance, deps: { tenants: TenantService; keys: ApiKeyService }): void {
  app.post<{ Body: { id: string; name?: string; maxSessions?: number } }>('/v1/tenants', {
    schema: {
      tags: ['tenants'],
      summary: 'Create a tenant (admin)',
      body: {
        type: 'object',
        properties: { id: slug, name: { type: 'string', minLength: 1, maxLength: 200 }, maxSessions },
        required: ['id'],
        additionalProperties: false,
      },
      response: { 201: tenant, ...errorResponses },
    },
  }, async (request, reply) => {
    requireAdmin(request);
    return reply.status(201).send(await deps.tenants.create(request.body));
  });

  app.get('/v1/tenants', {
    schema: { tags: ['tenants'], summary: 'List tenants (admin)', response: { 200: { type: 'object', properties: { items: { type: 'array', items: tenant } } }, ...errorResponses } },
  }, async (request) => {
    requireAdmin(request);
    return { items: await deps.tenants.list() };
  });

  app.get<{ Params: TenantParams }>('/v1/tenants/:tenant', {
    schema: { tags: ['tenants'], summary: 'Get a tenant (admin)', params: tenantParams, response: { 200: tenant, ...errorResponses } },
  }, async (request) => {
    requireAdmin(request);
    return deps.tenants.get(request.params.tenant);
  });

  app.patch<{ Params: TenantParams; Body: { name?: string; maxSessions?: number } }>('/v1/tenants/:tenant', {
    schema: {
      tags: ['tenants'],
      summary: 'Update a tenant (admin)',
      params: tenantParams,
      body: { type: 'object', properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, maxSessions }, additionalProperties: false, minProperties: 1 },
      response: { 200: tenant, ...errorResponses },
    },
  }, async (request) => {
    requireAdmin(request);
    return deps.tenants.update(request.params.tenant, request.body);
  });

  app.post<{ Params: TenantParams; Body: { name?: string; scopes: KeyScope[] } }>('/v1/tenants/:tenant/keys', {
    schema: {
      tags: ['keys'],
      summary: 'Create a tenant API key (admin or tenant owner). The key is shown once.',
      params: tenantParams,
      body: {
        type: 'object',
        properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, scopes: { ...scopes, minItems: 1 } },
        required: ['scopes'],
        additionalProperties: false,
      },
      response: { 201: { ...apiKey, properties: { ...apiKey.properties, key: { type: 'string' } } }, ...errorResponses },
    },
  }, async (request, reply) => {
    requireTenantManager(request, request.params.tenant);
    const owner = await deps.tenants.get(request.params.tenant);
    if (owner.deletingAt !== undefined) throw new AppError('TENANT_DELETING', `Tenant "${owner.id}" is being deleted: it takes no new keys.`);
    const issued = await deps.keys.issue(request.params.tenant, request.body.name ?? 'api key', request.body.scopes);
    return reply.status(201).send({ ...issued.record, key: issued.key });
  });

  app.get<{ Params: TenantParams }>('/v1/tenants/:tenant/keys', {
    schema: { tags: ['keys'], summary: "List a tenant's keys (admin or tenant owner; secrets are never shown again)", params: tenantParams, response: { 200: { type: 'object', properties: { items: { type: 'array', items: apiKey } } }, ...errorResponses } },
  }, async (request) => {
    requireTenantManager(request, request.params.tenant);
    await deps.tenants.get(request.params.tenant);
    return { items: await deps.keys.list(request.params.tenant) };
  });

  app.delete<{ Params: { keyId: string } }>('/v1/keys/:keyId', {
    config: { audit: 'key.revoke' },
    schema: {
      tags: ['keys'],
      summary: 'Revoke an API key (admin, or the owner of its tenant)',
      params: { type: 'object', properties: { keyId: { type: 'string', minLength: 1, maxLength: 100 } }, required: ['keyId'] },
      response: { 204: { type: 'null' }, ...errorResponses },
    },
  }, async (request, reply) => {
    const principal = principalOf(request);
    if (principal.kind !== 'admin') {
      requireTenantManager(request, principal.tenantId);
      const key = await deps.keys.get(request.params.keyId);
      // Another tenant's key is "not found", exactly like a missing one.
      if (!key || key.tenantId !== principal.tenantId) throw new AppError('KEY_NOT_FOUND');
    }
    if (principal.keyId === request.params.keyId) {
      throw new AppError('KEY_REVOKE_SELF');
    }
    await deps.keys.revoke(request.params.keyId);
    return reply.status(204).send();
  });
}
