/** In-process fan-out of committed events to live subscribers (WebSocket connections). */
import type { EventRecord } from '../domain/records.ts';
import type { EventFilter } from '../events/event-service.ts';
import { matchesFilter } from '../events/event-service.ts';

export interface Subscriber {
  filter: EventFilter;
  deliver(event: EventRecord): void;
}

export class EventHub {
  private readonly subscribers = new Set<Subscriber>();

  subscribe(subscriber: Subscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  get size(): number {
    return this.subscribers.size;
  }

  publish(events: readonly EventRecord[]): void {
    for (const subscriber of this.subscribers) {
      for (const event of events) if (matchesFilter(subscriber.filter, event)) subscriber.deliver(event);
    }
  }
}
