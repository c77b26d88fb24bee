/** Session export/import between installations (docs/operations.md "Moving a session"). */
import type { FastifyInstance } from 'fastify';
import type { SessionTransfer } from '../../sessions/session-transfer.ts';
import { principalOf } from '../plugins/auth.ts';
import { errorBody, errorResponses, session, slug } from '../schemas/common.ts';

const bundle = {
  type: 'object',
  description: 'A passphrase-sealed bundle of the session (config and auth state); AES-256-GCM under an scrypt key',
  additionalProperties: true,
} as const;

export function registerSessionTransferRoutes(app: FastifyInstance, deps: { transfer: SessionTransfer; importBodyLimit: number }): void {
  app.get<{ Params: { id: string }; Headers: { 'x-wafleet-passphrase'?: string } }>('/v1/sessions/:id/export', {
    schema: {
      tags: ['sessions'],
      summary: 'Export a stopped session as a passphrase-sealed bundle (scope manage); passphrase in X-Wafleet-Passphrase',
      params: { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 200 } }, required: ['id'] },
      headers: { type: 'object', properties: { 'x-wafleet-passphrase': { type: 'string' } } },
      response: { 200: bundle, ...errorResponses },
    },
  }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    return deps.transfer.export(principalOf(request), request.params.id, request.headers['x-wafleet-passphrase']);
  });

  app.post<{ Body: { bundle: unknown; passphrase: string; id?: string; tenant?: string; start?: boolean } }>('/v1/sessions/import', {
    bodyLimit: deps.importBodyLimit,
    schema: {
      tags: ['sessions'],
      summary: 'Import an exported session as a new session (scope manage): it logs in without a new QR',
      body: {
        type: 'object',
        properties: { bundle, passphrase: { type: 'string', maxLength: 1024 }, id: slug, tenant: slug, start: { type: 'boolean', default: false } },
        required: ['bundle', 'passphrase'],
        additionalProperties: false,
      },
      response: { 201: session, ...errorResponses, 413: errorBody, 422: errorBody },
    },
  }, async (request, reply) => reply.status(201).send(await deps.transfer.import(principalOf(request), request.body)));
}
