import type { FastifyInstance } from 'fastify';
import type { GroupService } from '../../messages/group-service.ts';
import type { GroupParticipantAction, GroupSetting } from '../../engines/features.ts';
import { principalOf } from '../plugins/auth.ts';
import { errorResponses } from '../schemas/common.ts';

const id = { type: 'string', minLength: 1, maxLength: 200 } as const;
const sessionParams = { type: 'object', properties: { id }, required: ['id'] } as const;
const groupParams = { type: 'object', properties: { id, groupId: { type: 'string', minLength: 3, maxLength: 100 } }, required: ['id', 'groupId'] } as const;
const participants = { type: 'array', minItems: 1, maxItems: 256, items: { type: 'string', minLength: 3, maxLength: 100 } } as const;
const group = { type: 'object', additionalProperties: true } as const;
const ok = { type: 'object', properties: { ok: { type: 'boolean' } } } as const;
const body = (properties: Record<string, object>, required: string[]) => ({ type: 'object', required, additionalProperties: false, properties });

type G = { id: string; groupId: string };

export function registerGroupRoutes(app: FastifyInstance, deps: { groups: GroupService }): void {
  const { groups } = deps;

  app.post<{ Params: { id: string }; Body: { subject: string; participants: string[] } }>('/v1/sessions/:id/groups', {
    schema: { tags: ['groups'], summary: 'Create a group (scope manage)', params: sessionParams, body: body({ subject: { type: 'string', minLength: 1, maxLength: 100 }, participants }, ['subject', 'participants']), response: { 201: group, ...errorResponses } },
  }, async (request, reply) => reply.status(201).send(await groups.create(principalOf(request), request.params.id, request.body.subject, request.body.participants)));

  app.get<{ Params: { id: string } }>('/v1/sessions/:id/groups', {
    schema: { tags: ['groups'], summary: 'Groups the account is in (scope read)', params: sessionParams, response: { 200: { type: 'object', properties: { items: { type: 'array', items: group } } }, ...errorResponses } },
  }, async (request) => ({ items: await groups.list(principalOf(request), request.params.id) }));

  app.post<{ Params: { id: string }; Body: { code: string } }>('/v1/sessions/:id/groups/join', {
    schema: { tags: ['groups'], summary: 'Join a group by invite code or link (scope manage)', params: sessionParams, body: body({ code: { type: 'string', minLength: 4, maxLength: 200 } }, ['code']), response: { 200: { type: 'object', properties: { groupId: { type: 'string' } } }, ...errorResponses } },
  }, async (request) => ({ groupId: await groups.join(principalOf(request), request.params.id, request.body.code) }));

  app.get<{ Params: G }>('/v1/sessions/:id/groups/:groupId', {
    schema: { tags: ['groups'], summary: 'Group metadata and participants (scope read)', params: groupParams, response: { 200: group, ...errorResponses } },
  }, async (request) => groups.get(principalOf(request), request.params.id, request.params.groupId));

  app.post<{ Params: G; Body: { action: GroupParticipantAction; participants: string[] } }>('/v1/sessions/:id/groups/:groupId/participants', {
    schema: {
      tags: ['groups'],
      summary: 'Add, remove, promote or demote participants (scope manage)',
      params: groupParams,
      body: body({ action: { type: 'string', enum: ['add', 'remove', 'promote', 'demote'] }, participants }, ['action', 'participants']),
      response: { 200: { type: 'object', properties: { items: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, status: { type: 'string' } } } } } }, ...errorResponses },
    },
  }, async (request) => ({ items: await groups.participants(principalOf(request), request.params.id, request.params.groupId, request.body.action, request.body.participants) }));

  app.put<{ Params: G; Body: { subject: string } }>('/v1/sessions/:id/groups/:groupId/subject', {
    schema: { tags: ['groups'], summary: 'Rename a group (scope manage)', params: groupParams, body: body({ subject: { type: 'string', minLength: 1, maxLength: 100 } }, ['subject']), response: { 200: ok, ...errorResponses } },
  }, async (request) => {
    await groups.subject(principalOf(request), request.params.id, request.params.groupId, request.body.subject);
    return { ok: true };
  });

  app.put<{ Params: G; Body: { description: string } }>('/v1/sessions/:id/groups/:groupId/description', {
    schema: { tags: ['groups'], summary: 'Set a group description (scope manage)', params: groupParams, body: body({ description: { type: 'string', maxLength: 2048 } }, ['description']), response: { 200: ok, ...errorResponses } },
  }, async (request) => {
    await groups.description(principalOf(request), request.params.id, request.params.groupId, request.body.description);
    return { ok: true };
  });

  app.put<{ Params: G; Body: { setting: GroupSetting } }>('/v1/sessions/:id/groups/:groupId/settings', {
    schema: { tags: ['groups'], summary: 'Who may send (announcement) and edit info (locked) (scope manage)', params: groupParams, body: body({ setting: { type: 'string', enum: ['announcement', 'not_announcement', 'locked', 'unlocked'] } }, ['setting']), response: { 200: ok, ...errorResponses } },
  }, async (request) => {
    await groups.setting(principalOf(request), request.params.id, request.params.groupId, request.body.setting);
    return { ok: true };
  });

  app.get<{ Params: G }>('/v1/sessions/:id/groups/:groupId/invite-code', {
    schema: { tags: ['groups'], summary: 'The invite code (scope manage)', params: groupParams, response: { 200: { type: 'object', properties: { code: { type: 'string' } } }, ...errorResponses } },
  }, async (request) => ({ code: await groups.inviteCode(principalOf(request), request.params.id, request.params.groupId) }));

  app.post<{ Params: G }>('/v1/sessions/:id/groups/:groupId/invite-code/revoke', {
    schema: { tags: ['groups'], summary: 'Revoke the invite code and get a new one (scope manage)', params: groupParams, response: { 200: { type: 'object', properties: { code: { type: 'string' } } }, ...errorResponses } },
  }, async (request) => ({ code: await groups.revokeInvite(principalOf(request), request.params.id, request.params.groupId) }));

  app.post<{ Params: G }>('/v1/sessions/:id/groups/:groupId/leave', {
    schema: { tags: ['groups'], summary: 'Leave a group (scope manage)', params: groupParams, response: { 200: ok, ...errorResponses } },
  }, async (request) => {
    await groups.leave(principalOf(request), request.params.id, request.params.groupId);
    return { ok: true };
  });
}
