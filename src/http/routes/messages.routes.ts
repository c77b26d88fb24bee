import type { FastifyInstance } from 'fastify';
import type { MessageService } from '../../messages/message-service.ts';
import type { SendRequest } from '../../messages/send-request.ts';
import { principalOf } from '../plugins/auth.ts';
import { errorBody, errorResponses } from '../schemas/common.ts';
import { messageView, sendBody } from '../schemas/messages.ts';

const sessionId = { type: 'string', minLength: 1, maxLength: 200 } as const;
const messageParams = { type: 'object', properties: { id: sessionId, messageId: { type: 'string', minLength: 1, maxLength: 128 } }, required: ['id', 'messageId'] } as const;

export function registerMessageRoutes(app: FastifyInstance, deps: { messages: MessageService; sendBodyLimit: number }): void {
  const { messages } = deps;

  app.post<{ Params: { id: string }; Body: SendRequest }>('/v1/sessions/:id/messages', {
    bodyLimit: deps.sendBodyLimit,
    schema: {
      tags: ['messages'],
      summary: 'Send a message of any type (scope send); answers once WhatsApp took it',
      params: { type: 'object', properties: { id: sessionId }, required: ['id'] },
      body: sendBody,
      response: { 201: messageView, ...errorResponses, 413: errorBody, 415: errorBody, 422: errorBody, 501: errorBody, 502: errorBody },
    },
  }, async (request, reply) => reply.status(201).send(await messages.send(principalOf(request), request.params.id, request.body)));

  app.get<{ Params: { id: string }; Querystring: { chatId?: string; before?: string; limit: number } }>('/v1/sessions/:id/messages', {
    schema: {
      tags: ['messages'],
      summary: 'Message history from the store, newest first (scope read)',
      params: { type: 'object', properties: { id: sessionId }, required: ['id'] },
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { chatId: { type: 'string', maxLength: 100 }, before: { type: 'string', minLength: 1, maxLength: 128, description: 'id of the last message of the previous page' }, limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
      },
      response: { 200: { type: 'object', properties: { items: { type: 'array', items: messageView } } }, ...errorResponses },
    },
  }, async (request) => ({ items: await messages.list(principalOf(request), request.params.id, request.query) }));

  app.get<{ Params: { id: string; messageId: string } }>('/v1/sessions/:id/messages/:messageId', {
    schema: { tags: ['messages'], summary: 'One message and its status (scope read)', params: messageParams, response: { 200: messageView, ...errorResponses } },
  }, async (request) => messages.get(principalOf(request), request.params.id, request.params.messageId));

  app.get<{ Params: { id: string; messageId: string } }>('/v1/sessions/:id/messages/:messageId/media', {
    schema: { tags: ['messages'], summary: 'Download the media of a message (scope read)', params: messageParams, response: { 200: {}, ...errorResponses } },
  }, async (request, reply) => {
    const media = await messages.downloadMedia(principalOf(request), request.params.id, request.params.messageId);
    if (media.fileName) reply.header('content-disposition', `attachment; filename="${media.fileName.replace(/["\r\n]/g, '_')}"`);
    return reply.type(media.mimetype).send(media.data);
  });

  app.post<{ Params: { id: string }; Body: { messageIds: string[] } }>('/v1/sessions/:id/messages/read', {
    schema: {
      tags: ['messages'],
      summary: 'Mark received messages as read (blue ticks) (scope send)',
      params: { type: 'object', properties: { id: sessionId }, required: ['id'] },
      body: { type: 'object', required: ['messageIds'], additionalProperties: false, properties: { messageIds: { type: 'array', minItems: 1, maxItems: 500, items: { type: 'string', minLength: 1, maxLength: 128 } } } },
      response: { 200: { type: 'object', properties: { marked: { type: 'integer' } } }, ...errorResponses },
    },
  }, async (request) => ({ marked: await messages.markRead(principalOf(request), request.params.id, request.body.messageIds) }));
}
