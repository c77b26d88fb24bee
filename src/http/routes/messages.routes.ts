import type { FastifyInstance } from 'fastify';
import type { MessageService } from '../../messages/message-service.ts';
import type { SendRequest } from '../../messages/send-request.ts';
import type { SendMode, SendService } from '../../outbound/send-service.ts';
import type { QueueStatsService } from '../../outbound/queue-stats.ts';
import { idempotencyHeaders, idempotencyKeyOf, queueStats, sendQuery } from '../schemas/outbound.ts';
import { principalOf } from '../plugins/auth.ts';
import { errorBody, errorResponses } from '../schemas/common.ts';
import { messageView, sendBody } from '../schemas/messages.ts';

const sessionId = { type: 'string', minLength: 1, maxLength: 200 } as const;
const messageParams = { type: 'object', properties: { id: sessionId, messageId: { type: 'string', minLength: 1, maxLength: 128 } }, required: ['id', 'messageId'] } as const;

export function registerMessageRoutes(app: FastifyInstance, deps: { messages: MessageService; sender: SendService; queue: QueueStatsService; sendBodyLimit: number }): void {
  const { messages } = deps;

  app.post<{ Params: { id: string }; Body: SendRequest; Querystring: { mode: SendMode; timeoutMs?: number } }>('/v1/sessions/:id/messages', {
    bodyLimit: deps.sendBodyLimit,
    config: { forward: 'queue', audit: 'message.send' },
    schema: {
      tags: ['messages'],
      summary: 'Send a message of any type (scope send): stored and queued, then sent in turn with the session\'s pacing',
      description: 'mode=sync (default) waits for WhatsApp up to timeoutMs: 201 once sent, 202 if still queued. mode=async answers 202 at once. '
        + 'Idempotency-Key: the same key and body within 24 h return the first result (header idempotent-replayed: true); another body → 409.',
      params: { type: 'object', properties: { id: sessionId }, required: ['id'] },
      querystring: sendQuery,
      headers: idempotencyHeaders,
      body: sendBody,
      response: { 201: messageView, 202: messageView, ...errorResponses, 413: errorBody, 415: errorBody, 422: errorBody, 429: errorBody, 501: errorBody, 502: errorBody },
    },
  }, async (request, reply) => {
    const result = await deps.sender.send(principalOf(request), request.params.id, request.body, {
      mode: request.query.mode,
      ...(request.query.timeoutMs !== undefined ? { timeoutMs: request.query.timeoutMs } : {}),
      ...idempotencyKeyOf(request),
    });
    if (result.replayed) reply.header('idempotent-replayed', 'true');
    return reply.status(result.statusCode).send(result.message);
  });

  app.get<{ Params: { id: string } }>('/v1/sessions/:id/queue', {
    schema: {
      tags: ['messages'],
      summary: 'The session\'s outbound queue: depth, wait of the oldest message, pacing in force (scope read)',
      params: { type: 'object', properties: { id: sessionId }, required: ['id'] },
      response: { 200: queueStats, ...errorResponses },
    },
  }, async (request) => deps.queue.stats(principalOf(request), request.params.id));

  app.get<{ Params: { id: string }; Querystring: { chatId?: string; before?: string; limit: number } }>('/v1/sessions/:id/messages', {
    config: { forward: 'never' },
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
    config: { forward: 'never' },
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
