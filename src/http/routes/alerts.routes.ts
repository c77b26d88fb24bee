/** Built-in alerting: /v1/alerts (list, acknowledge, silences), /v1/alert-channels, tenant alert rules. */
import type { FastifyInstance } from 'fastify';
import type { AlertAdmin, ChannelInput, SilenceInput } from '../../alerts/alert-admin.ts';
import type { AlertStatus } from '../../domain/alert-records.ts';
import { ALERT_RULES, type AlertRuleOverrides } from '../../domain/alerts.ts';
import { principalOf } from '../plugins/auth.ts';
import { errorResponses, slug } from '../schemas/common.ts';

const nullable = (type: string) => ({ type: [type, 'null'] });
const alert = {
  type: 'object',
  properties: {
    id: { type: 'string' }, tenantId: nullable('string'), rule: { type: 'string' }, severity: { type: 'string' }, status: { type: 'string' },
    summary: { type: 'string' }, count: { type: 'integer' }, subjects: { type: 'array', items: { type: 'string' } },
    startedAt: { type: 'integer' }, updatedAt: { type: 'integer' }, resolvedAt: nullable('integer'),
    acknowledgedAt: nullable('integer'), acknowledgedBy: nullable('string'), notifiedAt: nullable('integer'),
  },
} as const;
const silence = {
  type: 'object',
  properties: { id: { type: 'string' }, tenantId: nullable('string'), rule: nullable('string'), endsAt: { type: 'integer' }, reason: nullable('string'), createdBy: { type: 'string' }, createdAt: { type: 'integer' } },
} as const;
const channel = {
  type: 'object',
  properties: {
    id: { type: 'string' }, tenantId: nullable('string'), type: { type: 'string' }, url: nullable('string'), to: { type: 'array', items: { type: 'string' } },
    minSeverity: { type: 'string' }, enabled: { type: 'boolean' }, lastSentAt: nullable('integer'), lastError: nullable('string'), createdAt: { type: 'integer' },
  },
} as const;
const severity = { type: 'string', enum: ['info', 'warning', 'critical'] } as const;
const ruleSettings = {
  type: 'object',
  properties: { enabled: { type: 'boolean' }, forMinutes: { type: 'integer', minimum: 0, maximum: 10_080 }, failedAttempts: { type: 'integer', minimum: 1, maximum: 1000 }, minSuccessPercent: { type: 'integer', minimum: 0, maximum: 100 } },
  additionalProperties: false,
} as const;
const rulesBody = { type: 'object', properties: Object.fromEntries(ALERT_RULES.map((rule) => [rule, ruleSettings])), additionalProperties: false } as const;
const rulesView = { type: 'object', properties: { tenantId: { type: 'string' }, override: { type: 'object', additionalProperties: true }, effective: { type: 'object', additionalProperties: true } } } as const;
const idParams = { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 100 } }, required: ['id'] } as const;

export function registerAlertRoutes(app: FastifyInstance, deps: { alerts: AlertAdmin }): void {
  const { alerts } = deps;
  app.get<{ Querystring: { status?: AlertStatus; limit: number } }>('/v1/alerts', {
    schema: {
      tags: ['alerts'],
      summary: 'Alerts, newest first (scope read): firing and resolved',
      querystring: { type: 'object', properties: { status: { type: 'string', enum: ['firing', 'resolved'] }, limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 } }, additionalProperties: false },
      response: { 200: { type: 'object', properties: { items: { type: 'array', items: alert } } }, ...errorResponses },
    },
  }, async (request) => ({ items: await alerts.list(principalOf(request), request.query) }));

  app.get<{ Params: { id: string } }>('/v1/alerts/:id', { schema: { tags: ['alerts'], summary: 'One alert (scope read)', params: idParams, response: { 200: alert, ...errorResponses } } }, async (request) =>
    alerts.get(principalOf(request), request.params.id),
  );

  app.post<{ Params: { id: string } }>('/v1/alerts/:id/acknowledge', {
    schema: { tags: ['alerts'], summary: 'Acknowledge an alert (scope manage): someone is on it', params: idParams, response: { 200: alert, ...errorResponses } },
  }, async (request) => alerts.acknowledge(principalOf(request), request.params.id));

  app.post<{ Body: SilenceInput }>('/v1/alerts/silences', {
    schema: {
      tags: ['alerts'],
      summary: 'Silence notifications for a while (scope manage): alerts still show, channels stay quiet',
      body: {
        type: 'object',
        properties: { tenant: slug, rule: { type: 'string', enum: [...ALERT_RULES] }, minutes: { type: 'integer', minimum: 1, maximum: 43_200 }, reason: { type: 'string', maxLength: 500 } },
        required: ['minutes'],
        additionalProperties: false,
      },
      response: { 201: silence, ...errorResponses },
    },
  }, async (request, reply) => reply.status(201).send(await alerts.silence(principalOf(request), request.body)));

  app.get('/v1/alerts/silences', { schema: { tags: ['alerts'], summary: 'Silences in force (scope read)', response: { 200: { type: 'object', properties: { items: { type: 'array', items: silence } } }, ...errorResponses } } }, async (request) => ({
    items: await alerts.silences(principalOf(request)),
  }));

  app.delete<{ Params: { id: string } }>('/v1/alerts/silences/:id', { schema: { tags: ['alerts'], summary: 'End a silence now (scope manage)', params: idParams, response: { 204: { type: 'null' }, ...errorResponses } } }, async (request, reply) => {
    await alerts.unsilence(principalOf(request), request.params.id);
    return reply.status(204).send();
  });

  app.post<{ Body: ChannelInput }>('/v1/alert-channels', {
    schema: {
      tags: ['alerts'],
      summary: 'Add a notification channel (scope manage): webhook (JSON), slack (incoming webhook) or email',
      body: {
        type: 'object',
        properties: { tenant: slug, type: { type: 'string', enum: ['webhook', 'slack', 'email'] }, url: { type: 'string', maxLength: 2000 }, to: { type: 'array', items: { type: 'string', maxLength: 320 }, maxItems: 50 }, minSeverity: severity },
        required: ['type'],
        additionalProperties: false,
      },
      response: { 201: channel, ...errorResponses },
    },
  }, async (request, reply) => reply.status(201).send(await alerts.createChannel(principalOf(request), request.body)));

  app.get('/v1/alert-channels', { schema: { tags: ['alerts'], summary: 'Notification channels (scope read)', response: { 200: { type: 'object', properties: { items: { type: 'array', items: channel } } }, ...errorResponses } } }, async (request) => ({
    items: await alerts.channels(principalOf(request)),
  }));

  app.delete<{ Params: { id: string } }>('/v1/alert-channels/:id', { schema: { tags: ['alerts'], summary: 'Remove a channel (scope manage)', params: idParams, response: { 204: { type: 'null' }, ...errorResponses } } }, async (request, reply) => {
    await alerts.deleteChannel(principalOf(request), request.params.id);
    return reply.status(204).send();
  });

  app.post<{ Params: { id: string } }>('/v1/alert-channels/:id/test', {
    schema: { tags: ['alerts'], summary: 'Send a test notification (scope manage)', params: idParams, response: { 200: { type: 'object', properties: { delivered: { type: 'boolean' }, error: nullable('string') } }, ...errorResponses } },
  }, async (request) => alerts.testChannel(principalOf(request), request.params.id));

  app.get<{ Params: { tenant: string } }>('/v1/tenants/:tenant/alert-rules', {
    schema: { tags: ['alerts'], summary: "The tenant's alert rules: its overrides and what applies (scope read)", params: { type: 'object', properties: { tenant: slug }, required: ['tenant'] }, response: { 200: rulesView, ...errorResponses } },
  }, async (request) => alerts.rules(principalOf(request), request.params.tenant));

  app.put<{ Params: { tenant: string }; Body: AlertRuleOverrides }>('/v1/tenants/:tenant/alert-rules', {
    schema: { tags: ['alerts'], summary: "Replace the tenant's rule overrides (scope manage); {} restores the defaults", params: { type: 'object', properties: { tenant: slug }, required: ['tenant'] }, body: rulesBody, response: { 200: rulesView, ...errorResponses } },
  }, async (request) => alerts.setRules(principalOf(request), request.params.tenant, request.body));
}
