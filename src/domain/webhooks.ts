/** Webhook and delivery records, and the event-type filter rule. Pure. */
import type { EventRecord } from './records.ts';

export type WebhookLevel = 'global' | 'tenant' | 'session';

export interface WebhookRecord {
  id: string;
  /** null for a global (admin) webhook. */
  tenantId: string | null;
  /** Set for a session webhook (its tenantId is the session's tenant). */
  sessionId: string | null;
  url: string;
  /** Exact type names, `*`, or prefixes like `message.*`. */
  events: string[];
  /** Sealed (encrypted) JSON object of custom headers as stored; services open it. */
  headers: string;
  /** Sealed (encrypted) secret as stored; services open it. */
  secret: string;
  enabled: boolean;
  description: string | null;
  createdAt: number;
  updatedAt: number;
}

export const DELIVERY_STATUSES = ['pending', 'delivering', 'delivered', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface DeliveryRecord {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  tenantId: string;
  /** The event's session id, or '' for events without one: deliveries of one key go out in order. */
  orderKey: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number;
  /** Start of the retry window (creation, or the last redeliver/replay). */
  windowStartedAt: number;
  lastAttemptAt: number | null;
  lastStatusCode: number | null;
  lastError: string | null;
  lastLatencyMs: number | null;
  deliveredAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export function webhookLevel(webhook: Pick<WebhookRecord, 'tenantId' | 'sessionId'>): WebhookLevel {
  if (webhook.sessionId !== null) return 'session';
  return webhook.tenantId === null ? 'global' : 'tenant';
}

/** A filter entry: `*`, an exact type (`session.status`) or a prefix ending in `.*` (`message.*`). */
export const EVENT_FILTER_PATTERN = '^(\\*|[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*(\\.\\*)?)$';

export function matchesEventType(filter: readonly string[], type: string): boolean {
  if (filter.length === 0) return true;
  return filter.some((entry) => entry === '*' || entry === type || (entry.endsWith('.*') && type.startsWith(entry.slice(0, -1))));
}

/** Whether the webhook wants this event: its scope covers the event and its filter names the type. */
export function webhookWants(webhook: WebhookRecord, event: EventRecord): boolean {
  if (!webhook.enabled) return false;
  if (webhook.tenantId !== null && webhook.tenantId !== event.tenantId) return false;
  if (webhook.sessionId !== null && webhook.sessionId !== event.sessionId) return false;
  return matchesEventType(webhook.events, event.type);
}

/** The envelope consumers receive (ARCHITECTURE.md §7). */
export function eventEnvelope(event: EventRecord): Record<string, unknown> {
  return { id: event.id, type: event.type, tenantId: event.tenantId, sessionId: event.sessionId, timestamp: event.timestamp, payload: event.payload };
}
