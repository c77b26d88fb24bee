/**
 * What this node does with the other nodes' messages (ClusterBus): forget cached owners, start a
 * session placed here, beat when its state changed, work a queue a send was added to elsewhere, and
 * push the others' events to this node's WebSocket clients in the order they were published.
 */
import type { EventRecord } from '../domain/records.ts';
import type { Logger } from '../logging/logger.ts';
import type { ClusterBus, ClusterMessage } from '../storage/cluster-ports.ts';
import type { SessionRouter } from './session-router.ts';

export interface ClusterListenerDeps {
  bus: ClusterBus;
  nodeId: string;
  router: SessionRouter;
  placedHere(sessionId: string): void;
  stateChanged(): void;
  kick(sessionId: string): void;
  /** Whether anyone here listens to events (WebSocket clients). */
  wantsEvents(): boolean;
  eventsByIds(ids: string[]): Promise<EventRecord[]>;
  deliverEvents(events: EventRecord[]): void;
  logger: Logger;
}

export function listenToCluster(deps: ClusterListenerDeps): Promise<void> {
  let events = Promise.resolve();
  const onMessage = (message: ClusterMessage): void => {
    switch (message.kind) {
      case 'lease':
        deps.router.invalidate(message.sessionId);
        if (message.nodeId === deps.nodeId) deps.placedHere(message.sessionId);
        return;
      case 'node':
        if (message.nodeId === deps.nodeId) deps.stateChanged();
        return;
      case 'kick':
        deps.kick(message.sessionId);
        return;
      case 'events':
        if (message.from === deps.nodeId || !deps.wantsEvents()) return;
        // One after another, so a session's events reach the sockets in the order they were published.
        events = events
          .then(async () => {
            const found = await deps.eventsByIds(message.ids);
            deps.deliverEvents(found.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
          })
          .catch((error: unknown) => deps.logger.warn({ err: error }, 'could not read events another node announced; WebSocket clients get them by replay'));
        return;
    }
  };
  return deps.bus.listen(onMessage);
}

/** Announces the events this node published, a few milliseconds' worth per message. */
export class EventAnnouncer {
  private ids: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Announcements go one after another: two NOTIFYs in flight at once may commit in either order. */
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly bus: ClusterBus,
    private readonly nodeId: string,
    private readonly logger: Logger,
    private readonly windowMs = 20,
  ) {}

  add(events: readonly EventRecord[]): void {
    if (!this.bus.enabled || events.length === 0) return;
    for (const event of events) this.ids.push(event.id);
    this.timer ??= setTimeout(() => this.flush(), this.windowMs);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const ids = this.ids;
    this.ids = [];
    if (ids.length === 0) return;
    this.sending = this.sending
      .then(() => this.bus.notify({ kind: 'events', from: this.nodeId, ids }))
      .catch((error: unknown) => this.logger.warn({ err: error }, 'could not announce events to the other nodes'));
  }
}
