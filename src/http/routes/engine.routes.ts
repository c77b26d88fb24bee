import type { FastifyInstance } from 'fastify';
import type { SessionService } from '../../sessions/session-service.ts';
import { principalOf } from '../plugins/auth.ts';
import { errorResponses } from '../schemas/common.ts';

export function registerEngineRoutes(app: FastifyInstance, deps: { sessions: SessionService }): void {
  app.post<{ Params: { id: string; method: string }; Body: { args?: unknown[] } }>('/v1/sessions/:id/engine/:method', {
    schema: {
      tags: ['engine'],
      summary: 'Call an engine method directly (admin or scope manage; only methods on WAFLEET_ENGINE_ALLOWLIST)',
      params: {
        type: 'object',
        properties: { id: { type: 'string', minLength: 1, maxLength: 200 }, method: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' } },
        required: ['id', 'method'],
      },
      body: { type: 'object', properties: { args: { type: 'array', maxItems: 20, default: [] } }, additionalProperties: false },
      response: { 200: { type: 'object', properties: { result: {} } }, ...errorResponses },
    },
  }, async (request) => ({
    result: await deps.sessions.callEngine(principalOf(request), request.params.id, request.params.method, request.body?.args ?? []),
  }));
}
