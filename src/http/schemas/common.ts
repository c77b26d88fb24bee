/** JSON schemas shared by routes; they also generate the OpenAPI document. */
import { SLUG_PATTERN } from '../../domain/ids.ts';
import { SESSION_STATUSES } from '../../domain/session.ts';
import { KEY_SCOPES } from '../../domain/records.ts';
import { pacingConfig } from './outbound.ts';

export const slug = { type: 'string', pattern: SLUG_PATTERN, maxLength: 63 } as const;

export const errorBody = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        requestId: { type: 'string' },
        details: { type: 'object', additionalProperties: true },
      },
      required: ['code', 'message', 'requestId'],
    },
  },
} as const;

export const errorResponses = {
  400: errorBody,
  401: errorBody,
  403: errorBody,
  404: errorBody,
  409: errorBody,
} as const;

export const tenant = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    maxSessions: { type: 'integer' },
    createdAt: { type: 'integer' },
    deletingAt: { type: 'integer', description: 'Set while the tenant is being deleted' },
  },
} as const;

export const scopes = { type: 'array', items: { type: 'string', enum: [...KEY_SCOPES] }, uniqueItems: true } as const;

export const apiKey = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    tenantId: { type: ['string', 'null'] },
    name: { type: 'string' },
    scopes,
    createdAt: { type: 'integer' },
    revokedAt: { type: ['integer', 'null'] },
  },
} as const;

export const sessionStatus = { type: 'string', enum: [...SESSION_STATUSES] } as const;

export const sessionConfig = {
  type: 'object',
  properties: {
    metadata: { type: 'object', additionalProperties: { type: 'string', maxLength: 1024 }, maxProperties: 50 },
    proxy: { type: 'string', maxLength: 2048 },
    pacing: pacingConfig,
    qrMaxCycles: { type: 'integer', minimum: 1, maximum: 1000, description: 'Unscanned QR codes before the session goes FAILED with reason QR_TIMEOUT (default WAFLEET_QR_MAX_CYCLES).' },
  },
  additionalProperties: false,
} as const;

/** Where a session may run in a cluster: one node, and/or nodes with all these tags. */
export const placement = {
  type: ['object', 'null'],
  properties: {
    node: { type: 'string', minLength: 1, maxLength: 63, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' },
    tags: { type: 'object', maxProperties: 20, additionalProperties: { type: 'string', maxLength: 100 } },
  },
  additionalProperties: false,
} as const;

export const session = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    tenantId: { type: 'string' },
    engine: { type: 'string' },
    status: sessionStatus,
    statusReason: { type: ['string', 'null'] },
    desiredState: { type: 'string', enum: ['running', 'stopped'] },
    config: { type: 'object', additionalProperties: true },
    me: {
      type: ['object', 'null'],
      properties: { id: { type: 'string' }, lid: { type: 'string' }, name: { type: 'string' } },
    },
    placement,
    qrAvailable: { type: 'boolean' },
    createdAt: { type: 'integer' },
    updatedAt: { type: 'integer' },
  },
} as const;
