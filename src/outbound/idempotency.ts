/**
 * Idempotency-Key: the same key and body within the retention window replays the first result;
 * the same key with another body is a conflict. Keys are scoped to the caller's tenant (or admin).
 */
import { createHash } from 'node:crypto';
import type { Principal } from '../auth/principal.ts';
import { AppError } from '../errors/app-error.ts';
import type { IdempotencyRecord } from '../storage/outbound-ports.ts';
import type { Storage } from '../storage/ports.ts';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

export function idempotencyScope(principal: Principal): string {
  return principal.kind === 'tenant' ? `tenant:${principal.tenantId}` : 'admin';
}

/** A stable hash of what was asked: key order in the JSON body does not matter. */
export function requestHash(what: string, sessionId: string, body: unknown): string {
  return createHash('sha256').update(`${what}\n${sessionId}\n${canonical(body)}`).digest('hex');
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function checkKey(key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  if (!KEY_PATTERN.test(key)) {
    throw new AppError('VALIDATION_FAILED', 'The Idempotency-Key header must be 1-200 printable ASCII characters.', { field: 'headers.idempotency-key' });
  }
  return key;
}

/** The earlier request under this key, if it is still fresh; a different body is a 409. Expired keys are forgotten. */
export async function replayOf(storage: Storage, scope: string, key: string, hash: string, now: number): Promise<IdempotencyRecord | undefined> {
  const existing = await storage.idempotency.get(scope, key);
  if (!existing) return undefined;
  if (existing.createdAt <= now - IDEMPOTENCY_TTL_MS) {
    await storage.idempotency.delete(scope, key);
    return undefined;
  }
  if (existing.requestHash !== hash) {
    throw new AppError('IDEMPOTENCY_KEY_CONFLICT', `Idempotency-Key "${key}" was used with a different request; use a new key for a new request.`);
  }
  return existing;
}
