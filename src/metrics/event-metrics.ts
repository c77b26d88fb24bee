/**
 * Counters fed by the committed event stream: status changes (reconnect storms, logouts) and
 * inbound messages. Labels are bounded: the new status only, never a session or tenant id.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { EventRecord } from '../domain/records.ts';
import { isSessionStatus, SESSION_STATUSES } from '../domain/session.ts';

export function registerEventMetrics(registry: Registry, liveSubscribers: () => number): (events: readonly EventRecord[]) => void {
  const statusChanges = new Counter({
    name: 'wafleet_session_status_changes_total',
    help: 'Session status changes by the status entered (RECONNECTING counts reconnects)',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  for (const status of SESSION_STATUSES) statusChanges.inc({ status }, 0);
  const received = new Counter({
    name: 'wafleet_messages_received_total',
    help: 'Messages received from WhatsApp (all sessions)',
    registers: [registry],
  });
  new Gauge({
    name: 'wafleet_event_stream_clients',
    help: 'WebSocket event-stream connections open on this node',
    registers: [registry],
    collect() {
      this.set(liveSubscribers());
    },
  });
  return (events) => {
    for (const event of events) {
      if (event.type === 'message.received') received.inc();
      else if (event.type === 'session.status' && typeof event.payload.status === 'string' && isSessionStatus(event.payload.status) && event.payload.status !== event.payload.previous) {
        statusChanges.inc({ status: event.payload.status });
      }
    }
  };
}
