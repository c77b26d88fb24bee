import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/websocket';
import type { EventService, EventListQuery } from '../../events/event-service.ts';
import { checkCursor } from '../../events/event-service.ts';
import type { EventHub } from '../../realtime/event-hub.ts';
import { CLOSE, runEventStream } from '../../realtime/event-stream.ts';
import type { Principal } from '../../auth/principal.ts';
import type { StillValid } from '../../auth/principal-liveness.ts';
import { isAppError } from '../../errors/app-error.ts';
import { principalOf } from '../plugins/auth.ts';
import { errorResponses, slug } from '../schemas/common.ts';
import { event, pageQuery } from '../schemas/webhooks.ts';

const filterQuery = {
  session: slug,
  types: { type: 'string', maxLength: 2000, description: 'Comma-separated: exact types, `prefix.*` or `*`' },
  tenant: { ...slug, description: 'Admin keys only: one tenant' },
} as const;

export interface EventRouteDeps {
  events: EventService;
  hub: EventHub;
  wsPingMs: number;
  /** Asked every LIVENESS_CHECK_MS per open stream: false closes it with 4401 (logged out, key revoked). */
  stillValid?: StillValid;
}

const LIVENESS_CHECK_MS = 5_000;

export function registerEventRoutes(app: FastifyInstance, deps: EventRouteDeps): void {
  // Open streams, so that closing the app says goodbye with 1001.
  const streams = new Map<{ close(code: number, reason: string): void }, Principal>();
  const { stillValid } = deps;
  const liveness = stillValid
    ? setInterval(() => {
      for (const [stream, principal] of streams) {
        stillValid(principal).then(
          (ok) => { if (!ok) stream.close(CLOSE.unauthorized, 'the login ended or the API key was revoked'); },
          () => undefined, // the store is down: keep the stream, ask again next time
        );
      }
    }, LIVENESS_CHECK_MS)
    : undefined;
  liveness?.unref();
  app.addHook('preClose', async () => {
    clearInterval(liveness);
    for (const stream of streams.keys()) stream.close(CLOSE.goingAway, 'server shutting down');
  });

  app.get<{ Querystring: EventListQuery }>('/v1/events', {
    schema: {
      tags: ['events'],
      summary: 'Retained events after a cursor, oldest first (scope read). Follow `next` until it is null.',
      querystring: { type: 'object', properties: { ...pageQuery, ...filterQuery }, additionalProperties: false },
      response: { 200: { type: 'object', properties: { items: { type: 'array', items: event }, next: { type: ['string', 'null'] } } }, ...errorResponses },
    },
  }, async (request) => deps.events.list(principalOf(request), request.query));

  app.get<{ Querystring: { after?: string; session?: string; types?: string; tenant?: string } }>('/v1/events/ws', {
    websocket: true,
    schema: { tags: ['events'], summary: 'WebSocket event stream (scope read). Key by header or ?key=; filters session, types; resume with after=<event id>.' },
  }, (socket, request) => {
    if (!request.principal) {
      socket.close(CLOSE.unauthorized, 'a valid API key is required');
      return;
    }
    let filter;
    try {
      const { after, ...query } = request.query;
      checkCursor(after, 'after');
      filter = deps.events.filterFor(request.principal, query);
      if (request.principal.kind === 'tenant' && query.tenant !== undefined && query.tenant !== request.principal.tenantId) {
        socket.close(CLOSE.badRequest, 'a tenant key streams only its own tenant');
        return;
      }
      const stream = runEventStream({
        socket,
        filter,
        after,
        hub: deps.hub,
        events: deps.events,
        pingMs: deps.wsPingMs,
        onError: (error) => request.log.warn({ err: error }, 'event stream failed'),
      });
      streams.set(stream, request.principal);
      socket.on('close', () => streams.delete(stream));
    } catch (error) {
      if (isAppError(error) && error.code === 'FORBIDDEN') socket.close(CLOSE.forbidden, error.message.slice(0, 120));
      else if (isAppError(error)) socket.close(CLOSE.badRequest, error.message.slice(0, 120));
      else socket.close(CLOSE.internal, 'internal error');
    }
  });
}
