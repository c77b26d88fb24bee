import type { FastifyInstance } from 'fastify';
import type { TenantService } from '../../tenants/tenant-service.ts';
import type { ApiKeyService } from '../../auth/api-key-service.ts';
import type { KeyScope } from '../../domain/records.ts';
import { AppError } from '../../errors/app-error.ts';
import { requireAdmin } from '../plugins/auth.ts';
import { apiKey, errorResponses, scopes, slug, tenant } from '../schemas/common.ts';

interface TenantParams {
  tenant: string;
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
      summary: 'Create a tenant API key (admin). The key is shown once.',
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
    requireAdmin(request);
    await deps.tenants.get(request.params.tenant);
    const issued = await deps.keys.issue(request.params.tenant, request.body.name ?? 'api key', request.body.scopes);
    return reply.status(201).send({ ...issued.record, key: issued.key });
  });

  app.get<{ Params: TenantParams }>('/v1/tenants/:tenant/keys', {
    schema: { tags: ['keys'], summary: "List a tenant's keys (admin; secrets are never shown again)", params: tenantParams, response: { 200: { type: 'object', properties: { items: { type: 'array', items: apiKey } } }, ...errorResponses } },
  }, async (request) => {
    requireAdmin(request);
    await deps.tenants.get(request.params.tenant);
    return { items: await deps.keys.list(request.params.tenant) };
  });

  app.delete<{ Params: { keyId: string } }>('/v1/keys/:keyId', {
    schema: {
      tags: ['keys'],
      summary: 'Revoke an API key (admin)',
      params: { type: 'object', properties: { keyId: { type: 'string', minLength: 1, maxLength: 100 } }, required: ['keyId'] },
      response: { 204: { type: 'null' }, ...errorResponses },
    },
  }, async (request, reply) => {
    requireAdmin(request);
    if (request.principal?.keyId === request.params.keyId) {
      throw new AppError('KEY_REVOKE_SELF');
    }
    await deps.keys.revoke(request.params.keyId);
    return reply.status(204).send();
  });
}
