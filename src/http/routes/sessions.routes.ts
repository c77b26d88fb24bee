import type { FastifyInstance } from 'fastify';
import QRCode from 'qrcode';
import type { SessionService } from '../../sessions/session-service.ts';
import type { SessionConfig } from '../../domain/records.ts';
import type { SessionStatus } from '../../domain/session.ts';
import { principalOf } from '../plugins/auth.ts';
import { errorBody, errorResponses, placement, session, sessionConfig, sessionStatus, slug } from '../schemas/common.ts';
import type { PlacementConstraints } from '../../domain/cluster.ts';

interface IdParams {
  id: string;
}

// Ids are validated by the service so that a malformed id answers 404 like any unknown one... except
// where the caller creates it: there a bad id is a 400 that says what to fix.
const idParams = { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 200 } }, required: ['id'] } as const;
const sessionResponses = { 200: session, ...errorResponses } as const;

export function registerSessionRoutes(app: FastifyInstance, deps: { sessions: SessionService }): void {
  const { sessions } = deps;

  app.post<{ Body: { id?: string; tenant?: string; engine?: string; config?: SessionConfig; placement?: PlacementConstraints | null; start?: boolean } }>('/v1/sessions', {
    schema: {
      tags: ['sessions'],
      summary: 'Create a session (scope manage). Admin keys name the tenant.',
      body: {
        type: 'object',
        properties: {
          id: slug,
          tenant: slug,
          engine: { type: 'string', minLength: 1, maxLength: 40 },
          config: sessionConfig,
          placement,
          start: { type: 'boolean', default: false },
        },
        additionalProperties: false,
      },
      response: { 201: session, ...errorResponses },
    },
  }, async (request, reply) => reply.status(201).send(await sessions.create(principalOf(request), request.body ?? {})));

  app.get<{ Querystring: { status?: SessionStatus; limit: number; offset: number } }>('/v1/sessions', {
    schema: {
      tags: ['sessions'],
      summary: 'List sessions (scope read)',
      querystring: {
        type: 'object',
        properties: {
          status: sessionStatus,
          limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
          offset: { type: 'integer', minimum: 0, default: 0 },
        },
        additionalProperties: false,
      },
      response: {
        200: { type: 'object', properties: { items: { type: 'array', items: session }, total: { type: 'integer' }, limit: { type: 'integer' }, offset: { type: 'integer' } } },
        ...errorResponses,
      },
    },
  }, async (request) => {
    const page = await sessions.list(principalOf(request), request.query);
    return { ...page, limit: request.query.limit, offset: request.query.offset };
  });

  app.get<{ Params: IdParams }>('/v1/sessions/:id', {
    config: { forward: 'never' },
    schema: { tags: ['sessions'], summary: 'Get a session (scope read)', params: idParams, response: sessionResponses },
  }, async (request) => sessions.get(principalOf(request), request.params.id));

  app.patch<{ Params: IdParams; Body: { config?: SessionConfig; placement?: PlacementConstraints | null } }>('/v1/sessions/:id', {
    config: { forward: 'never' },
    schema: {
      tags: ['sessions'],
      summary: 'Update session config or placement (scope manage); applies on the next start (a placement also to the next move)',
      params: idParams,
      body: { type: 'object', properties: { config: sessionConfig, placement }, minProperties: 1, additionalProperties: false },
      response: sessionResponses,
    },
  }, async (request) => sessions.update(principalOf(request), request.params.id, request.body));

  app.delete<{ Params: IdParams }>('/v1/sessions/:id', {
    schema: { tags: ['sessions'], summary: 'Stop and delete a session and its auth state (scope manage)', params: idParams, response: { 204: { type: 'null' }, ...errorResponses } },
  }, async (request, reply) => {
    await sessions.delete(principalOf(request), request.params.id);
    return reply.status(204).send();
  });

  for (const action of ['start', 'stop', 'restart', 'logout'] as const) {
    app.post<{ Params: IdParams }>(`/v1/sessions/:id/${action}`, {
      schema: { tags: ['sessions'], summary: `${action[0]?.toUpperCase()}${action.slice(1)} a session (scope manage, idempotent)`, params: idParams, response: sessionResponses },
    }, async (request) => sessions[action](principalOf(request), request.params.id));
  }

  app.get<{ Params: IdParams; Querystring: { format: 'png' | 'raw' | 'json' } }>('/v1/sessions/:id/qr', {
    schema: {
      tags: ['sessions'],
      summary: 'The QR to scan while status is SCAN_QR (scope read)',
      params: idParams,
      querystring: { type: 'object', properties: { format: { type: 'string', enum: ['png', 'raw', 'json'], default: 'png' } }, additionalProperties: false },
      response: { 200: {}, ...errorResponses },
    },
  }, async (request, reply) => {
    const qr = await sessions.qr(principalOf(request), request.params.id);
    if (request.query.format === 'raw') return reply.type('text/plain; charset=utf-8').send(qr);
    if (request.query.format === 'json') return { qr, dataUrl: await QRCode.toDataURL(qr) };
    return reply.type('image/png').send(await QRCode.toBuffer(qr, { type: 'png', margin: 2, width: 300 }));
  });

  app.post<{ Params: IdParams; Body: { phone: string } }>('/v1/sessions/:id/pairing-code', {
    schema: {
      tags: ['sessions'],
      summary: 'Request a pairing code for a phone number instead of scanning the QR (scope manage)',
      params: idParams,
      body: { type: 'object', properties: { phone: { type: 'string', minLength: 1, maxLength: 32 } }, required: ['phone'], additionalProperties: false },
      response: { 200: { type: 'object', properties: { code: { type: 'string' } } }, ...errorResponses },
    },
  }, async (request) => ({ code: await sessions.requestPairingCode(principalOf(request), request.params.id, request.body.phone) }));

  const health = {
    type: 'object',
    properties: {
      healthy: { type: 'boolean' },
      status: { type: 'string' },
      reason: { type: ['string', 'null'] },
      lastFrameAgeMs: { type: ['integer', 'null'] },
      keepaliveRttMs: { type: ['integer', 'null'] },
      decryptErrors: { type: 'integer' },
      reconnectAttempts: { type: 'integer' },
    },
  } as const;
  app.get<{ Params: IdParams }>('/v1/sessions/:id/health', {
    schema: { tags: ['sessions'], summary: 'Session health: 200 when healthy, 503 when not (scope read)', params: idParams, response: { 200: health, 503: health, 404: errorBody, 401: errorBody, 403: errorBody } },
  }, async (request, reply) => {
    const result = await sessions.health(principalOf(request), request.params.id);
    return reply.status(result.healthy ? 200 : 503).send(result);
  });
}
