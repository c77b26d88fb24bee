/** `GET /v1/audit` (admin; a tenant owner sees its tenant) and `GET /v1/analytics/messages`. */
import type { FastifyInstance } from 'fastify';
import type { AuditLog } from '../../audit/audit-log.ts';
import type { AnalyticsQuery, MessageStats } from '../../analytics/message-stats.ts';
import { STAT_COUNTERS } from '../../domain/analytics.ts';
import { principalOf } from '../plugins/auth.ts';
import { errorResponses, slug } from '../schemas/common.ts';
import { auditRow } from '../schemas/users.ts';

interface AuditQuerystring {
  tenant?: string;
  actor?: string;
  action?: string;
  resource?: string;
  from?: number;
  to?: number;
  after?: string;
  limit: number;
}

const time = { type: 'integer', minimum: 0, description: 'Epoch milliseconds' } as const;
const counters = Object.fromEntries(STAT_COUNTERS.map((name) => [name, { type: 'integer' }]));

export function registerAuditRoutes(app: FastifyInstance, deps: { audit: AuditLog; stats: MessageStats }): void {
  app.get<{ Querystring: AuditQuerystring }>('/v1/audit', {
    schema: {
      tags: ['audit'],
      summary: 'The audit log, newest first (admin; a tenant owner sees its own tenant). Follow `next` as `after` for older rows.',
      querystring: {
        type: 'object',
        properties: {
          tenant: slug,
          actor: { type: 'string', minLength: 1, maxLength: 100, description: 'A user id or key id' },
          action: { type: 'string', minLength: 1, maxLength: 100, description: 'Exact, or a prefix like `session.*`' },
          resource: { type: 'string', minLength: 1, maxLength: 400, description: 'Prefix: `sessions/sales` matches everything under it' },
          from: time,
          to: time,
          after: { type: 'string', minLength: 1, maxLength: 40, description: 'Cursor: the `next` of the previous page' },
          limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
        },
        additionalProperties: false,
      },
      response: { 200: { type: 'object', properties: { items: { type: 'array', items: auditRow }, next: { type: ['string', 'null'] } } }, ...errorResponses },
    },
  }, async (request) => {
    const { tenant, actor, action, resource, from, to, after, limit } = request.query;
    return deps.audit.list(principalOf(request), {
      limit,
      ...(tenant !== undefined ? { tenantId: tenant } : {}),
      ...(actor !== undefined ? { actorId: actor } : {}),
      ...(action !== undefined ? { action } : {}),
      ...(resource !== undefined ? { resource } : {}),
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
      ...(after !== undefined ? { after } : {}),
    });
  });

  app.get<{ Querystring: AnalyticsQuery }>('/v1/analytics/messages', {
    schema: {
      tags: ['analytics'],
      summary: 'Messages sent, delivered, read, failed, received and webhook deliveries per session and hour or day (scope read)',
      querystring: {
        type: 'object',
        properties: { session: slug, tenant: slug, from: time, to: time, bucket: { type: 'string', enum: ['hour', 'day'], default: 'day' } },
        additionalProperties: false,
      },
      response: {
        200: {
          type: 'object',
          properties: {
            bucket: { type: 'string' },
            from: { type: 'integer' },
            to: { type: 'integer' },
            items: { type: 'array', items: { type: 'object', properties: { sessionId: { type: 'string' }, tenantId: { type: 'string' }, bucketStart: { type: 'integer' }, ...counters } } },
            totals: { type: 'object', properties: counters },
          },
        },
        ...errorResponses,
      },
    },
  }, async (request) => deps.stats.query(principalOf(request), request.query));
}
