import type { FastifyInstance } from 'fastify';
import type { DirectoryService } from '../../messages/directory-service.ts';
import type { ChatPresence } from '../../engines/features.ts';
import { loadMedia, type MediaInput, type MediaLimits } from '../../messages/media-source.ts';
import { principalOf } from '../plugins/auth.ts';
import { errorResponses } from '../schemas/common.ts';
import { contactView, mediaInput } from '../schemas/messages.ts';

const id = { type: 'string', minLength: 1, maxLength: 200 } as const;
const sessionParams = { type: 'object', properties: { id }, required: ['id'] } as const;
const jidParams = { type: 'object', properties: { id, jid: { type: 'string', minLength: 3, maxLength: 100 } }, required: ['id', 'jid'] } as const;
const paging = {
  type: 'object',
  additionalProperties: false,
  properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 }, offset: { type: 'integer', minimum: 0, default: 0 } },
} as const;
const ok = { type: 'object', properties: { ok: { type: 'boolean' } } } as const;

type P = { id: string };
type J = { id: string; jid: string };

export function registerDirectoryRoutes(app: FastifyInstance, deps: { directory: DirectoryService; media: MediaLimits; sendBodyLimit: number }): void {
  const { directory } = deps;
  const page = (items: object) => ({ 200: { type: 'object', properties: { items: { type: 'array', items }, total: { type: 'integer' } } }, ...errorResponses });

  app.get<{ Params: P; Querystring: { limit: number; offset: number } }>('/v1/sessions/:id/chats', {
    config: { forward: 'never' },
    schema: { tags: ['chats'], summary: 'Chats from the store, most recent first (scope read)', params: sessionParams, querystring: paging, response: page({ type: 'object', additionalProperties: true }) },
  }, async (request) => directory.chats(principalOf(request), request.params.id, request.query));

  app.get<{ Params: P; Querystring: { limit: number; offset: number } }>('/v1/sessions/:id/contacts', {
    config: { forward: 'never' },
    schema: { tags: ['contacts'], summary: 'Contacts from the store, one per person with both addresses once known (scope read)', params: sessionParams, querystring: paging, response: page(contactView) },
  }, async (request) => directory.contacts(principalOf(request), request.params.id, request.query));

  app.post<{ Params: P; Body: { phones: string[] } }>('/v1/sessions/:id/contacts/check', {
    schema: {
      tags: ['contacts'],
      summary: 'Which phone numbers are on WhatsApp (scope read)',
      params: sessionParams,
      body: { type: 'object', required: ['phones'], additionalProperties: false, properties: { phones: { type: 'array', minItems: 1, maxItems: 50, items: { type: 'string', maxLength: 32 } } } },
      response: { 200: { type: 'object', properties: { items: { type: 'array', items: { type: 'object', additionalProperties: true } } } }, ...errorResponses },
    },
  }, async (request) => ({ items: await directory.checkNumbers(principalOf(request), request.params.id, request.body.phones) }));

  app.get<{ Params: J }>('/v1/sessions/:id/contacts/:jid/picture', {
    schema: { tags: ['contacts'], summary: 'Profile picture URL of a user or group, null when none (scope read)', params: jidParams, response: { 200: { type: 'object', properties: { url: { type: ['string', 'null'] } } }, ...errorResponses } },
  }, async (request) => ({ url: await directory.profilePicture(principalOf(request), request.params.id, request.params.jid) }));

  app.get<{ Params: J }>('/v1/sessions/:id/contacts/:jid/status', {
    schema: { tags: ['contacts'], summary: "A user's status text (scope read)", params: jidParams, response: { 200: { type: 'object', properties: { status: { type: ['string', 'null'] } } }, ...errorResponses } },
  }, async (request) => ({ status: await directory.statusText(principalOf(request), request.params.id, request.params.jid) }));

  for (const [action, blocked] of [['block', true], ['unblock', false]] as const) {
    app.post<{ Params: J }>(`/v1/sessions/:id/contacts/:jid/${action}`, {
      schema: { tags: ['contacts'], summary: `${action === 'block' ? 'Block' : 'Unblock'} a user (scope manage)`, params: jidParams, response: { 200: ok, ...errorResponses } },
    }, async (request) => {
      await directory.setBlocked(principalOf(request), request.params.id, request.params.jid, blocked);
      return { ok: true };
    });
  }

  app.post<{ Params: P; Body: { presence: ChatPresence; chatId?: string } }>('/v1/sessions/:id/presence', {
    schema: {
      tags: ['presence'],
      summary: 'Show online/offline, or typing/recording/paused in a chat (scope send)',
      params: sessionParams,
      body: { type: 'object', required: ['presence'], additionalProperties: false, properties: { presence: { type: 'string', enum: ['available', 'unavailable', 'composing', 'recording', 'paused'] }, chatId: { type: 'string', maxLength: 100 } } },
      response: { 200: ok, ...errorResponses },
    },
  }, async (request) => {
    await directory.sendPresence(principalOf(request), request.params.id, request.body.presence, request.body.chatId);
    return { ok: true };
  });

  app.post<{ Params: P; Body: { chatId: string } }>('/v1/sessions/:id/presence/subscribe', {
    schema: {
      tags: ['presence'],
      summary: "Receive a user's presence as presence.update events (scope read)",
      params: sessionParams,
      body: { type: 'object', required: ['chatId'], additionalProperties: false, properties: { chatId: { type: 'string', maxLength: 100 } } },
      response: { 200: ok, ...errorResponses },
    },
  }, async (request) => {
    await directory.subscribePresence(principalOf(request), request.params.id, request.body.chatId);
    return { ok: true };
  });

  app.put<{ Params: P; Body: { text: string } }>('/v1/sessions/:id/profile/status', {
    schema: { tags: ['profile'], summary: "Set the account's status text (scope manage)", params: sessionParams, body: { type: 'object', required: ['text'], additionalProperties: false, properties: { text: { type: 'string', maxLength: 139 } } }, response: { 200: ok, ...errorResponses } },
  }, async (request) => {
    await directory.setStatusText(principalOf(request), request.params.id, request.body.text);
    return { ok: true };
  });

  app.put<{ Params: P; Body: { media: MediaInput } }>('/v1/sessions/:id/profile/picture', {
    bodyLimit: deps.sendBodyLimit,
    schema: { tags: ['profile'], summary: "Set the account's profile picture from a URL or base64 JPEG/PNG (scope manage)", params: sessionParams, body: { type: 'object', required: ['media'], additionalProperties: false, properties: { media: mediaInput } }, response: { 200: ok, ...errorResponses } },
  }, async (request) => {
    const image = await loadMedia('image', request.body.media, deps.media);
    await directory.setProfilePicture(principalOf(request), request.params.id, image.data);
    return { ok: true };
  });
}
