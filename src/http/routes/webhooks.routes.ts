import type { FastifyInstance } from 'fastify';
import type { WebhookInput, WebhookPatch, WebhookService } from '../../webhooks/webhook-service.ts';
import type { DeliveryService } from '../../webhooks/delivery-service.ts';
import type { WebhookTester } from '../../webhooks/webhook-tester.ts';
import type { DeliveryStatus } from '../../domain/webhooks.ts';
import { principalOf } from '../plugins/auth.ts';
import { errorResponses, slug } from '../schemas/common.ts';
import { customHeaders, delivery, deliveryStatus, eventFilter, eventId, pageQuery, webhook, webhookSecret, webhookUrl } from '../schemas/webhooks.ts';

const idParams = { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 40 } }, required: ['id'] } as const;
const deliveryParams = {
  type: 'object',
  properties: { id: { type: 'string', minLength: 1, maxLength: 40 }, deliveryId: { type: 'string', minLength: 1, maxLength: 40 } },
  required: ['id', 'deliveryId'],
} as const;
const description = { type: ['string', 'null'], maxLength: 500 } as const;
const list = (items: object) => ({ 200: { type: 'object', properties: { items: { type: 'array', items } } }, ...errorResponses });
const tags = ['webhooks'];

export function registerWebhookRoutes(app: FastifyInstance, deps: { webhooks: WebhookService; deliveries: DeliveryService; tester: WebhookTester }): void {
  const { webhooks, deliveries, tester } = deps;

  app.post<{ Body: WebhookInput }>('/v1/webhooks', {
    schema: {
      tags,
      summary: 'Create a webhook (scope manage): a session webhook with `session`, a tenant webhook, or (admin, no tenant) a global one. The secret is shown once.',
      body: {
        type: 'object',
        properties: { url: webhookUrl, events: eventFilter, headers: customHeaders, secret: webhookSecret, enabled: { type: 'boolean' }, description, session: slug, tenant: slug },
        required: ['url'],
        additionalProperties: false,
      },
      response: { 201: webhook, ...errorResponses },
    },
  }, async (request, reply) => reply.status(201).send(await webhooks.create(principalOf(request), request.body)));

  app.get<{ Querystring: { session?: string; tenant?: string } }>('/v1/webhooks', {
    schema: { tags, summary: 'List webhooks (scope manage)', querystring: { type: 'object', properties: { session: slug, tenant: slug }, additionalProperties: false }, response: list(webhook) },
  }, async (request) => ({ items: await webhooks.list(principalOf(request), request.query) }));

  app.get<{ Querystring: { webhook?: string; after?: string; limit: number } }>('/v1/webhooks/dead-letters', {
    schema: {
      tags,
      summary: 'Dead-lettered deliveries of the webhooks this key manages',
      querystring: { type: 'object', properties: { webhook: idParams.properties.id, ...pageQuery }, additionalProperties: false },
      response: list(delivery),
    },
  }, async (request) => ({ items: await deliveries.deadLetters(principalOf(request), request.query) }));

  app.post<{ Body: { webhook?: string; ids?: string[] } }>('/v1/webhooks/dead-letters/retry', {
    schema: {
      tags,
      summary: 'Send dead-lettered deliveries again: the given ids, all of one webhook, or all this key manages',
      body: { type: 'object', properties: { webhook: idParams.properties.id, ids: { type: 'array', items: { type: 'string', maxLength: 40 }, maxItems: 1000 } }, additionalProperties: false },
      response: { 200: { type: 'object', properties: { queued: { type: 'integer' } } }, ...errorResponses },
    },
  }, async (request) => deliveries.retryDead(principalOf(request), request.body ?? {}));

  app.get<{ Params: { id: string } }>('/v1/webhooks/:id', {
    schema: { tags, summary: 'Get a webhook (scope manage)', params: idParams, response: { 200: webhook, ...errorResponses } },
  }, async (request) => webhooks.get(principalOf(request), request.params.id));

  app.patch<{ Params: { id: string }; Body: WebhookPatch }>('/v1/webhooks/:id', {
    schema: {
      tags,
      summary: 'Update a webhook (scope manage); a new `secret` is echoed once',
      params: idParams,
      body: { type: 'object', properties: { url: webhookUrl, events: eventFilter, headers: customHeaders, secret: webhookSecret, enabled: { type: 'boolean' }, description }, additionalProperties: false, minProperties: 1 },
      response: { 200: webhook, ...errorResponses },
    },
  }, async (request) => webhooks.update(principalOf(request), request.params.id, request.body));

  app.delete<{ Params: { id: string } }>('/v1/webhooks/:id', {
    schema: { tags, summary: 'Delete a webhook and its delivery log (scope manage)', params: idParams, response: { 204: { type: 'null' }, ...errorResponses } },
  }, async (request, reply) => {
    await webhooks.delete(principalOf(request), request.params.id);
    return reply.status(204).send();
  });

  app.post<{ Params: { id: string } }>('/v1/webhooks/:id/test', {
    schema: {
      tags,
      summary: 'Send a signed `webhook.test` event to the webhook now and report its answer (scope manage); nothing is stored',
      params: idParams,
      response: {
        200: {
          type: 'object',
          properties: { delivered: { type: 'boolean' }, statusCode: { type: ['integer', 'null'] }, latencyMs: { type: 'integer' }, error: { type: ['string', 'null'] }, eventId: { type: 'string' } },
          required: ['delivered', 'statusCode', 'latencyMs', 'error', 'eventId'],
        },
        ...errorResponses,
      },
    },
  }, async (request) => tester.test(principalOf(request), request.params.id));

  app.get<{ Params: { id: string }; Querystring: { status?: DeliveryStatus; after?: string; limit: number } }>('/v1/webhooks/:id/deliveries', {
    schema: {
      tags,
      summary: 'Delivery log of a webhook, oldest first: status, attempts, last response code, latency',
      params: idParams,
      querystring: { type: 'object', properties: { status: deliveryStatus, ...pageQuery }, additionalProperties: false },
      response: list(delivery),
    },
  }, async (request) => ({ items: await deliveries.list(principalOf(request), request.params.id, request.query) }));

  app.post<{ Params: { id: string; deliveryId: string } }>('/v1/webhooks/:id/deliveries/:deliveryId/redeliver', {
    schema: { tags, summary: 'Send one delivery again, whatever its status', params: deliveryParams, response: { 200: delivery, ...errorResponses } },
  }, async (request) => deliveries.redeliver(principalOf(request), request.params.id, request.params.deliveryId));

  app.post<{ Params: { id: string }; Body: { after?: string; from?: number; to?: number; limit: number } }>('/v1/webhooks/:id/replay', {
    schema: {
      tags,
      summary: 'Queue retained events again: everything after an event id, or a time range (epoch ms)',
      params: idParams,
      body: {
        type: 'object',
        properties: { after: eventId, from: { type: 'integer', minimum: 0 }, to: { type: 'integer', minimum: 0 }, limit: { type: 'integer', minimum: 1, maximum: 100_000, default: 10_000 } },
        additionalProperties: false,
      },
      response: { 200: { type: 'object', properties: { queued: { type: 'integer' }, lastEventId: { type: ['string', 'null'] } } }, ...errorResponses },
    },
  }, async (request) => deliveries.replay(principalOf(request), request.params.id, request.body ?? { limit: 10_000 }));
}
