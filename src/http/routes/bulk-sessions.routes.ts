/**
 * Bulk session operations: start, stop or restart many sessions (by ids or by status) in one call,
 * with a result per session. Each one goes through SessionService, so tenant walls and the `manage`
 * scope apply exactly as for one session: another tenant's id answers SESSION_NOT_FOUND in its result.
 * A session another node runs is acted on there.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SessionForwarding } from '../../cluster/session-forwarding.ts';
import { clientIp } from '../plugins/forwarding.ts';
import type { Principal } from '../../auth/principal.ts';
import type { SessionStatus } from '../../domain/session.ts';
import { AppError, isAppError } from '../../errors/app-error.ts';
import type { SessionService } from '../../sessions/session-service.ts';
import { principalOf } from '../plugins/auth.ts';
import { errorResponses, sessionStatus } from '../schemas/common.ts';

const ACTIONS = ['start', 'stop', 'restart'] as const;
type Action = (typeof ACTIONS)[number];
const MAX_SESSIONS = 500;
/** A few at a time: each start or stop may take a while, and the engine should not be flooded. */
const CONCURRENCY = 8;

interface BulkSessionBody {
  action: Action;
  ids?: string[];
  status?: SessionStatus;
}

interface SessionResult {
  id: string;
  ok: boolean;
  status?: SessionStatus;
  error?: { code: string; message: string };
}

async function targets(sessions: SessionService, principal: Principal, body: BulkSessionBody): Promise<string[]> {
  if (body.ids) return [...new Set(body.ids)];
  const page = await sessions.list(principal, { ...(body.status ? { status: body.status } : {}), limit: MAX_SESSIONS, offset: 0 });
  return page.items.map((session) => session.id);
}

async function runAll(ids: string[], one: (id: string) => Promise<SessionResult>): Promise<SessionResult[]> {
  const results: SessionResult[] = new Array(ids.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ids.length) {
      const index = next++;
      const id = ids[index] ?? '';
      results[index] = await one(id);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, ids.length) }, worker));
  return results;
}

/**
 * One session's action where its connection runs: here, or passed on to the node that runs it
 * (as POST /v1/sessions/{id}/{action} would be), with the caller's own key.
 */
async function actOn(request: FastifyRequest, deps: { sessions: SessionService; forwarding: SessionForwarding }, principal: Principal, id: string, action: Action): Promise<SessionResult> {
  const route = request.hopFrom ? { local: true as const } : await deps.forwarding.route(id);
  if (route.local) {
    const view = await deps.sessions[action](principal, id);
    return { id, ok: true, status: view.status };
  }
  const answer = await deps.forwarding.hops.send(route, {
    method: 'POST',
    url: `/v1/sessions/${encodeURIComponent(id)}/${action}`,
    headers: { authorization: request.headers.authorization, 'x-api-key': request.headers['x-api-key'], 'x-request-id': request.id },
    body: undefined,
    clientIp: clientIp(request),
  });
  if (!answer) throw new AppError('NODE_UNAVAILABLE', `Session "${id}" runs on node "${route.nodeId}", which does not answer.`);
  let text = '';
  for await (const chunk of answer.body) text += String(chunk);
  const json = JSON.parse(text || '{}') as { status?: SessionStatus; error?: { code: string; message: string } };
  return answer.statusCode < 300 ? { id, ok: true, ...(json.status ? { status: json.status } : {}) } : { id, ok: false, error: json.error ?? { code: 'INTERNAL', message: `HTTP ${answer.statusCode}` } };
}

export function registerBulkSessionRoutes(app: FastifyInstance, deps: { sessions: SessionService; forwarding: SessionForwarding }): void {
  app.post<{ Body: BulkSessionBody }>('/v1/bulk/sessions', {
    schema: {
      tags: ['sessions'],
      summary: 'Start, stop or restart many sessions by ids or status (admin, or a tenant key with scope manage)',
      body: {
        type: 'object',
        required: ['action'],
        additionalProperties: false,
        properties: {
          action: { type: 'string', enum: [...ACTIONS] },
          ids: { type: 'array', minItems: 1, maxItems: MAX_SESSIONS, items: { type: 'string', minLength: 1, maxLength: 200 } },
          status: sessionStatus,
        },
      },
      response: {
        200: {
          type: 'object',
          properties: {
            action: { type: 'string' },
            results: {
              type: 'array',
              items: {
                type: 'object',
                properties: { id: { type: 'string' }, ok: { type: 'boolean' }, status: sessionStatus, error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } },
              },
            },
          },
        },
        ...errorResponses,
      },
    },
  }, async (request) => {
    const principal = principalOf(request);
    const body = request.body;
    if (body.ids && body.status) throw new AppError('VALIDATION_FAILED', 'Give either "ids" or "status", not both.', { field: 'body.status' });
    if (!body.ids && !body.status) throw new AppError('VALIDATION_FAILED', 'Give "ids" or a "status" filter.', { field: 'body.ids' });
    if (principal.kind === 'tenant' && !principal.scopes.includes('manage')) throw new AppError('FORBIDDEN', 'Bulk session operations need the "manage" scope.');
    const ids = await targets(deps.sessions, principal, body);
    const results = await runAll(ids, async (id) => {
      try {
        return await actOn(request, deps, principal, id, body.action);
      } catch (error) {
        if (!isAppError(error)) request.log.error({ err: error, sessionId: id }, `bulk ${body.action} failed`);
        const appError = isAppError(error) ? error : new AppError('INTERNAL');
        return { id, ok: false, error: { code: appError.code, message: appError.message } };
      }
    });
    return { action: body.action, results };
  });
}
