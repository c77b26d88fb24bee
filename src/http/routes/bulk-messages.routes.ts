/** Bulk sends: one request, many recipients, a durable job with progress and pause/resume/cancel. */
import type { FastifyInstance } from 'fastify';
import type { BulkRequest, BulkService } from '../../outbound/bulk-service.ts';
import { BULK_TYPES } from '../../outbound/bulk-service.ts';
import { principalOf } from '../plugins/auth.ts';
import { errorBody, errorResponses } from '../schemas/common.ts';
import { sendBody } from '../schemas/messages.ts';
import { bulkItem, bulkJob, idempotencyHeaders, idempotencyKeyOf } from '../schemas/outbound.ts';

const sessionId = { type: 'string', minLength: 1, maxLength: 200 } as const;
const jobId = { type: 'string', minLength: 1, maxLength: 64 } as const;
const sessionParams = { type: 'object', properties: { id: sessionId }, required: ['id'] } as const;
const jobParams = { type: 'object', properties: { id: sessionId, jobId }, required: ['id', 'jobId'] } as const;

const { to: _to, replyTo: _replyTo, messageId: _messageId, emoji: _emoji, type: _type, ...messageFields } = sendBody.properties;

const bulkBody = {
  type: 'object',
  required: ['recipients', 'message'],
  additionalProperties: false,
  properties: {
    recipients: {
      type: 'array',
      minItems: 1,
      maxItems: 100_000,
      items: {
        type: 'object',
        required: ['to'],
        additionalProperties: false,
        properties: {
          to: sendBody.properties.to,
          variables: { type: 'object', maxProperties: 50, additionalProperties: { type: 'string', maxLength: 4096 } },
        },
      },
    },
    message: {
      type: 'object',
      required: ['type'],
      additionalProperties: false,
      properties: { type: { type: 'string', enum: [...BULK_TYPES] }, ...messageFields },
    },
  },
} as const;

export function registerBulkMessageRoutes(app: FastifyInstance, deps: { bulk: BulkService; sendBodyLimit: number }): void {
  const { bulk } = deps;

  app.post<{ Params: { id: string }; Body: BulkRequest }>('/v1/sessions/:id/bulk-messages', {
    bodyLimit: deps.sendBodyLimit,
    schema: {
      tags: ['bulk'],
      summary: 'Send one message to many recipients, {{variables}} filled per recipient (scope send): answers 202 with the job',
      params: sessionParams,
      headers: idempotencyHeaders,
      body: bulkBody,
      response: { 202: bulkJob, ...errorResponses, 413: errorBody, 415: errorBody, 422: errorBody },
    },
  }, async (request, reply) => {
    const { job, replayed } = await bulk.create(principalOf(request), request.params.id, request.body, idempotencyKeyOf(request).idempotencyKey);
    if (replayed) reply.header('idempotent-replayed', 'true');
    return reply.status(202).send(job);
  });

  app.get<{ Params: { id: string }; Querystring: { limit: number } }>('/v1/sessions/:id/bulk-messages', {
    schema: {
      tags: ['bulk'],
      summary: 'Bulk jobs of the session, newest first (scope read)',
      params: sessionParams,
      querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 } } },
      response: { 200: { type: 'object', properties: { items: { type: 'array', items: bulkJob } } }, ...errorResponses },
    },
  }, async (request) => ({ items: await bulk.list(principalOf(request), request.params.id, request.query.limit) }));

  app.get<{ Params: { id: string; jobId: string } }>('/v1/sessions/:id/bulk-messages/:jobId', {
    schema: { tags: ['bulk'], summary: 'A bulk job and its progress (scope read)', params: jobParams, response: { 200: bulkJob, ...errorResponses } },
  }, async (request) => bulk.get(principalOf(request), request.params.id, request.params.jobId));

  app.get<{ Params: { id: string; jobId: string }; Querystring: { limit: number; offset: number } }>('/v1/sessions/:id/bulk-messages/:jobId/items', {
    schema: {
      tags: ['bulk'],
      summary: 'Per-recipient results of a bulk job, in request order (scope read)',
      params: jobParams,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, offset: { type: 'integer', minimum: 0, default: 0 } },
      },
      response: { 200: { type: 'object', properties: { items: { type: 'array', items: bulkItem } } }, ...errorResponses },
    },
  }, async (request) => ({ items: await bulk.items(principalOf(request), request.params.id, request.params.jobId, request.query.limit, request.query.offset) }));

  for (const action of ['pause', 'resume', 'cancel'] as const) {
    app.post<{ Params: { id: string; jobId: string } }>(`/v1/sessions/:id/bulk-messages/:jobId/${action}`, {
      schema: { tags: ['bulk'], summary: `${action[0]?.toUpperCase()}${action.slice(1)} a bulk job (scope send)`, params: jobParams, response: { 200: bulkJob, ...errorResponses } },
    }, async (request) => bulk.control(principalOf(request), request.params.id, request.params.jobId, action));
  }
}
