/** The cluster's nodes (admin): list, stats series, drain/activate; moving one session to another node. */
import type { FastifyInstance } from 'fastify';
import type { NodeService } from '../../cluster/node-service.ts';
import { requireAdmin } from '../plugins/auth.ts';
import { errorResponses } from '../schemas/common.ts';

const nodeId = { type: 'string', minLength: 1, maxLength: 63 } as const;
const stats = {
  type: 'object',
  properties: {
    cpuPercent: { type: 'number' }, rssBytes: { type: 'integer' }, eventLoopLagMs: { type: 'number' },
    messagesInPerMin: { type: 'number' }, messagesOutPerMin: { type: 'number' },
    apiP95Ms: { type: ['number', 'null'] }, apiP99Ms: { type: ['number', 'null'] }, errorRate: { type: 'number' },
  },
} as const;
const node = {
  type: 'object',
  properties: {
    id: { type: 'string' }, url: { type: 'string' }, state: { type: 'string', enum: ['active', 'draining', 'dead'] },
    version: { type: 'string' }, startedAt: { type: 'integer' }, lastHeartbeatAt: { type: 'integer' },
    sessions: { type: 'integer' }, capacity: { type: ['integer', 'null'] }, weight: { type: 'integer' },
    tags: { type: 'object', additionalProperties: { type: 'string' } }, stats,
  },
} as const;
const params = { type: 'object', properties: { id: nodeId }, required: ['id'] } as const;

export function registerNodeRoutes(app: FastifyInstance, deps: { nodes: NodeService }): void {
  const { nodes } = deps;

  app.get('/v1/nodes', {
    schema: { tags: ['cluster'], summary: 'The nodes of the cluster with their state, sessions and live stats (admin)', response: { 200: { type: 'object', properties: { items: { type: 'array', items: node } } }, ...errorResponses } },
  }, async (request) => {
    requireAdmin(request);
    return { items: await nodes.list() };
  });

  app.get<{ Params: { id: string } }>('/v1/nodes/:id', {
    schema: { tags: ['cluster'], summary: 'One node (admin)', params, response: { 200: node, ...errorResponses } },
  }, async (request) => {
    requireAdmin(request);
    return nodes.get(request.params.id);
  });

  app.get<{ Params: { id: string }; Querystring: { from?: number; to?: number } }>('/v1/nodes/:id/stats', {
    schema: {
      tags: ['cluster'],
      summary: 'A node\'s stats as a time series, one sample per WAFLEET_NODE_STATS_INTERVAL_MS (admin; from/to epoch ms, default the last hour)',
      params,
      querystring: { type: 'object', properties: { from: { type: 'integer', minimum: 0 }, to: { type: 'integer', minimum: 0 } }, additionalProperties: false },
      response: {
        200: { type: 'object', properties: { items: { type: 'array', items: { type: 'object', properties: { at: { type: 'integer' }, sessions: { type: 'integer' }, ...stats.properties } } } } },
        ...errorResponses,
      },
    },
  }, async (request) => {
    requireAdmin(request);
    const to = request.query.to ?? Date.now();
    return { items: await nodes.stats(request.params.id, request.query.from ?? to - 3_600_000, to) };
  });

  for (const action of ['drain', 'activate'] as const) {
    app.post<{ Params: { id: string } }>(`/v1/nodes/:id/${action}`, {
      schema: {
        tags: ['cluster'],
        summary: action === 'drain'
          ? 'Drain a node (admin): it takes no new sessions and hands its sessions to the other nodes, a few at a time, without a new login'
          : 'Let a drained node take sessions again (admin)',
        params,
        response: { 200: node, ...errorResponses },
      },
    }, async (request) => {
      requireAdmin(request);
      return nodes[action](request.params.id);
    });
  }

  app.post<{ Params: { id: string }; Body: { node?: string } }>('/v1/sessions/:id/move', {
    schema: {
      tags: ['cluster'],
      summary: 'Move a running session to another node, or to the one placement picks (admin): same login, no QR, its queue continues there in order',
      params: { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 200 } }, required: ['id'] },
      body: { type: ['object', 'null'], properties: { node: nodeId }, additionalProperties: false },
      response: { 200: { type: 'object', properties: { id: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } } }, ...errorResponses },
    },
  }, async (request) => {
    requireAdmin(request);
    return { id: request.params.id, ...(await nodes.move(request.params.id, request.body?.node)) };
  });
}
