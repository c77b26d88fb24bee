/** Builds event envelopes for session state changes (ARCHITECTURE.md §7). */
import type { EventRecord, SessionRecord } from '../domain/records.ts';

export type EventPublisher = (events: EventRecord[]) => void;

export function sessionEvent(
  newId: () => string,
  now: number,
  session: Pick<SessionRecord, 'id' | 'tenantId'>,
  type: string,
  payload: Record<string, unknown>,
): EventRecord {
  return { id: newId(), type, tenantId: session.tenantId, sessionId: session.id, timestamp: now, payload };
}
