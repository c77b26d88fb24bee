/**
 * Every node answers every call. A call about a session whose live connection runs on another node
 * (sends, QR, pairing code, groups, presence, the engine passthrough…) is passed to that node and its
 * answer streamed back, with `x-wafleet-node` naming who answered. Store reads (a session, its
 * messages, chats, contacts) are answered where they arrive (`config: { forward: 'never' }`). Sends
 * (`forward: 'queue'`) are accepted here when the owner cannot be reached: queued, nothing lost.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { AppError } from '../../errors/app-error.ts';
import type { SessionForwarding } from '../../cluster/session-forwarding.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The node that passed this call on (a verified hop), else undefined. */
    hopFrom: string | undefined;
    /** The client's address as the node that passed the call on saw it (a verified hop only). */
    hopClientIp: string | undefined;
  }
  interface FastifyContextConfig {
    /** `never`: answered by any node from the store; `queue`: a send, accepted here if the owner is unreachable. */
    forward?: 'never' | 'queue';
  }
}

const NODE_HEADER = 'x-wafleet-node';

/** Root-level hooks: recognise signed hops (before auth and rate limits run) and name the answering node. */
export function registerHopRecognition(app: FastifyInstance, forwarding: SessionForwarding): void {
  app.decorateRequest('hopFrom', undefined);
  app.decorateRequest('hopClientIp', undefined);
  app.addHook('onRequest', async (request) => {
    request.hopFrom = forwarding.verifyHop(request.headers, request.method, request.url);
    if (request.hopFrom) request.hopClientIp = forwarding.hopClientIp(request.headers);
  });
  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader(NODE_HEADER)) reply.header(NODE_HEADER, forwarding.nodeId);
  });
}

/** The address of the client, also when the call came through another node. */
export function clientIp(request: FastifyRequest): string {
  return request.hopClientIp ?? request.ip;
}

/** In the /v1 scope, after authentication: passes session calls on to the owning node. */
export function registerSessionForwarding(v1: FastifyInstance, forwarding: SessionForwarding): void {
  v1.addHook('preHandler', async (request, reply) => {
    const mode = request.routeOptions.config.forward;
    if (mode === 'never' || request.hopFrom) return;
    if (!request.routeOptions.url?.startsWith('/v1/sessions/:id')) return;
    const sessionId = (request.params as { id?: unknown }).id;
    if (typeof sessionId !== 'string') return;
    const route = await forwarding.route(sessionId);
    if (route.local) return;
    const answered = await passOn(request, reply, route, forwarding);
    forwarding.forwarded(answered ? 'ok' : 'unreachable');
    if (answered) return reply;
    forwarding.unreachable(sessionId);
    if (mode === 'queue') return; // accepted here: stored and queued for whichever node runs it next
    throw new AppError('NODE_UNAVAILABLE', `Session "${sessionId}" runs on node "${route.nodeId}", which does not answer; another node takes it over within ${Math.ceil(forwarding.leaseTtlMs / 1000)} s.`, {
      node: route.nodeId,
      retryAfterSeconds: Math.ceil(forwarding.leaseTtlMs / 1000),
    });
  });
}

async function passOn(request: FastifyRequest, reply: FastifyReply, route: { nodeId: string; url: string }, forwarding: SessionForwarding): Promise<boolean> {
  const body = request.body === undefined
    ? (request.method === 'GET' || request.method === 'HEAD' ? undefined : (request.raw as Readable))
    : typeof request.body === 'string' || Buffer.isBuffer(request.body) ? request.body : JSON.stringify(request.body);
  const headers = { ...request.headers, 'x-request-id': request.id };
  const answer = await forwarding.hops.send(route, { method: request.method, url: request.url, headers, body, clientIp: clientIp(request) });
  if (!answer) return false;
  // The node that ran the call writes its audit row (with the client's address); this one does not.
  request.audit = { ...request.audit, skip: true };
  reply.code(answer.statusCode);
  for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined) reply.header(name, value);
  if (!reply.hasHeader(NODE_HEADER)) reply.header(NODE_HEADER, route.nodeId);
  await reply.send(answer.body);
  return true;
}
