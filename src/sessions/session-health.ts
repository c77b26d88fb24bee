import type { SessionRecord } from '../domain/records.ts';
import type { RuntimeSnapshot } from './session-runtime.ts';

export interface SessionHealth {
  healthy: boolean;
  status: string;
  reason: string | null;
  lastFrameAgeMs: number | null;
  keepaliveRttMs: number | null;
  decryptErrors: number;
  reconnectAttempts: number;
}

/** Healthy means WORKING with a frame seen recently: status alone is not trusted. */
export function describeHealth(
  record: SessionRecord,
  snapshot: RuntimeSnapshot | undefined,
  now: number,
  staleMs: number,
): SessionHealth {
  const lastFrameAt = snapshot?.health.lastFrameAt ?? null;
  const lastFrameAgeMs = lastFrameAt === null ? null : Math.max(0, now - lastFrameAt);
  const status = snapshot?.status ?? record.status;
  return {
    healthy: status === 'WORKING' && lastFrameAgeMs !== null && lastFrameAgeMs <= staleMs,
    status,
    reason: snapshot?.reason ?? record.statusReason,
    lastFrameAgeMs,
    keepaliveRttMs: snapshot?.health.keepaliveRttMs ?? null,
    decryptErrors: snapshot?.health.decryptErrors ?? 0,
    reconnectAttempts: snapshot?.reconnectAttempts ?? 0,
  };
}
