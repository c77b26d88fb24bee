/** User management: `/v1/users` (admin everywhere, a tenant owner within its tenant). */
import type { FastifyInstance } from 'fastify';
import type { CreateUserInput, UserPatchInput, UserService } from '../../auth/user-service.ts';
import type { UserRole } from '../../domain/users.ts';
import { principalOf } from '../plugins/auth.ts';
import { errorResponses, slug } from '../schemas/common.ts';
import { email, password, role, user } from '../schemas/users.ts';

const idParams = { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 100 } }, required: ['id'] } as const;
const name = { type: ['string', 'null'], maxLength: 200 } as const;

export function registerUserRoutes(app: FastifyInstance, deps: { users: UserService }): void {
  const { users } = deps;

  app.post<{ Body: CreateUserInput }>('/v1/users', {
    schema: {
      tags: ['users'],
      summary: 'Create a user (admin; a tenant owner within its tenant). Admins name the tenant of a tenant user.',
      body: { type: 'object', properties: { email, password, role, tenant: slug, name: { type: 'string', maxLength: 200 } }, required: ['email', 'password', 'role'], additionalProperties: false },
      response: { 201: user, ...errorResponses },
    },
  }, async (request, reply) => reply.status(201).send(await users.create(principalOf(request), request.body)));

  app.get<{ Querystring: { tenant?: string; limit: number; offset: number } }>('/v1/users', {
    schema: {
      tags: ['users'],
      summary: 'List users (admin: all or ?tenant=; a tenant owner: its tenant)',
      querystring: { type: 'object', properties: { tenant: slug, limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 }, offset: { type: 'integer', minimum: 0, default: 0 } }, additionalProperties: false },
      response: { 200: { type: 'object', properties: { items: { type: 'array', items: user }, total: { type: 'integer' } } }, ...errorResponses },
    },
  }, async (request) => users.list(principalOf(request), request.query));

  app.get<{ Params: { id: string } }>('/v1/users/:id', {
    schema: { tags: ['users'], summary: 'Get a user', params: idParams, response: { 200: user, ...errorResponses } },
  }, async (request) => users.get(principalOf(request), request.params.id));

  app.patch<{ Params: { id: string }; Body: { name?: string | null; role?: UserRole; disabled?: boolean } }>('/v1/users/:id', {
    schema: {
      tags: ['users'],
      summary: 'Change a user’s name, role or disabled flag (disabling or a new role ends its logins at once)',
      params: idParams,
      body: { type: 'object', properties: { name, role, disabled: { type: 'boolean' } }, additionalProperties: false, minProperties: 1 },
      response: { 200: user, ...errorResponses },
    },
  }, async (request) => users.update(principalOf(request), request.params.id, request.body as UserPatchInput));

  app.delete<{ Params: { id: string } }>('/v1/users/:id', {
    schema: { tags: ['users'], summary: 'Delete a user; its logins end at once', params: idParams, response: { 204: { type: 'null' }, ...errorResponses } },
  }, async (request, reply) => {
    await users.delete(principalOf(request), request.params.id);
    return reply.status(204).send();
  });

  for (const [action, disabled] of [['disable', true], ['enable', false]] as const) {
    app.post<{ Params: { id: string } }>(`/v1/users/:id/${action}`, {
      schema: { tags: ['users'], summary: `${action === 'disable' ? 'Disable a user: its refresh tokens die at once' : 'Enable a disabled user'}`, params: idParams, response: { 200: user, ...errorResponses } },
    }, async (request) => users.update(principalOf(request), request.params.id, { disabled }));
  }

  app.post<{ Params: { id: string }; Body: { password: string } }>('/v1/users/:id/password', {
    schema: {
      tags: ['users'],
      summary: 'Reset a user’s password (admin, or the tenant owner); its logins end',
      params: idParams,
      body: { type: 'object', properties: { password }, required: ['password'], additionalProperties: false },
      response: { 200: user, ...errorResponses },
    },
  }, async (request) => users.update(principalOf(request), request.params.id, { password: request.body.password }));
}
