/** Schemas of the outbound pipeline: send mode, Idempotency-Key, queue stats, pacing, bulk jobs. */
import type { FastifyRequest } from 'fastify';
import { MESSAGE_STATUSES } from '../../domain/messages.ts';
import { BULK_JOB_STATUSES } from '../../storage/outbound-ports.ts';

export const sendQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    mode: { type: 'string', enum: ['sync', 'async'], default: 'sync' },
    timeoutMs: { type: 'integer', minimum: 100, maximum: 600_000 },
  },
} as const;

export const idempotencyHeaders = {
  type: 'object',
  properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

export function idempotencyKeyOf(request: FastifyRequest): { idempotencyKey?: string } {
  const key = request.headers['idempotency-key'];
  return typeof key === 'string' ? { idempotencyKey: key } : {};
}

/** Per-session pacing override (session config `pacing`); every field optional, 0 = no limit / none. */
export const pacingConfig = {
  type: 'object',
  additionalProperties: false,
  properties: {
    perMinute: { type: 'integer', minimum: 0, maximum: 100_000 },
    newContactsPerDay: { type: 'integer', minimum: 0, maximum: 1_000_000 },
    minGapMs: { type: 'integer', minimum: 0, maximum: 3_600_000 },
    jitterMs: { type: 'integer', minimum: 0, maximum: 3_600_000 },
    typing: { type: 'boolean' },
    typingMsPerChar: { type: 'integer', minimum: 0, maximum: 10_000 },
    typingMaxMs: { type: 'integer', minimum: 0, maximum: 60_000 },
  },
} as const;

export const queueStats = {
  type: 'object',
  properties: {
    depth: { type: 'integer' },
    oldestEnqueuedAt: { type: ['integer', 'null'] },
    waitMs: { type: 'integer' },
    drainEstimateAt: { type: ['integer', 'null'] },
    inFlight: { type: ['string', 'null'] },
    pacing: { type: 'object', additionalProperties: true },
  },
} as const;

const count = { type: 'integer' } as const;

export const bulkJob = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    sessionId: { type: 'string' },
    status: { type: 'string', enum: [...BULK_JOB_STATUSES] },
    total: count,
    progress: { type: 'object', properties: { queued: count, sent: count, delivered: count, read: count, failed: count, done: count } },
    createdAt: { type: 'integer' },
    updatedAt: { type: 'integer' },
  },
} as const;

export const bulkItem = {
  type: 'object',
  properties: {
    index: { type: 'integer' },
    recipient: { type: 'string' },
    messageId: { type: 'string' },
    status: { type: 'string', enum: [...MESSAGE_STATUSES] },
    statusReason: { type: ['string', 'null'] },
  },
} as const;
