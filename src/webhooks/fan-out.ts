/**
 * Fan-out: turns committed events into durable delivery rows, one per matching webhook.
 *
 * Two paths feed it, and the unique (webhook, event) key makes them idempotent:
 * - fast path: events handed over in-process right after their commit (low latency);
 * - sweep: a stored cursor walks the events table, staying `settleMs` behind now so that a
 *   transaction that committed late (its ULID is older than its commit) is still seen. It is what
 *   makes fan-out survive a crash between an event's commit and its fast-path fan-out.
 */
import { encodeTime } from 'ulid';
import type { Clock } from '../clock.ts';
import type { EventRecord } from '../domain/records.ts';
import { webhookWants, type DeliveryRecord, type WebhookRecord } from '../domain/webhooks.ts';
import type { Storage } from '../storage/ports.ts';

const SWEEP_PAGE = 500;
const ID_TAIL_MAX = 'Z'.repeat(16);
const ID_TAIL_MIN = '0'.repeat(16);

export interface FanOutDeps {
  storage: Storage;
  clock: Clock;
  newId: () => string;
  settleMs: number;
  cursorName: string;
}

export class FanOut {
  private queue: EventRecord[] = [];
  private webhooks: WebhookRecord[] | undefined;

  constructor(private readonly deps: FanOutDeps) {}

  notify(events: readonly EventRecord[]): void {
    this.queue.push(...events);
  }

  /** Webhooks changed: reload them before the next fan-out. */
  invalidate(): void {
    this.webhooks = undefined;
  }

  async enabledWebhooks(): Promise<WebhookRecord[]> {
    this.webhooks ??= await this.deps.storage.webhooks.listEnabled();
    return this.webhooks;
  }

  /** A first start places the cursor where the oldest webhook began (or now), never at the dawn of time. */
  async initCursor(): Promise<void> {
    if ((await this.deps.storage.deliveries.getCursor(this.deps.cursorName)) !== undefined) return;
    const all = await this.deps.storage.webhooks.list({});
    const from = Math.min(Date.now() - this.deps.settleMs, ...all.map((w) => w.createdAt)) - 1000;
    await this.deps.storage.deliveries.setCursor(this.deps.cursorName, encodeTime(Math.max(from, 0), 10) + ID_TAIL_MIN, this.deps.clock.now());
  }

  /** Events handed over since the last call (the fast path); give them back with restore() if their fan-out failed. */
  take(): EventRecord[] {
    const events = this.queue;
    this.queue = [];
    return events;
  }

  /** Nothing is lost either way: the sweep fans these out from the events table too. */
  restore(events: EventRecord[]): void {
    this.queue = events.concat(this.queue).slice(-100_000);
  }

  async sweep(): Promise<number> {
    this.invalidate();
    const webhooks = await this.enabledWebhooks();
    const upTo = encodeTime(Math.max(Date.now() - this.deps.settleMs, 0), 10) + ID_TAIL_MAX;
    let cursor = (await this.deps.storage.deliveries.getCursor(this.deps.cursorName)) ?? ID_TAIL_MIN;
    let created = 0;
    for (;;) {
      const events = await this.deps.storage.deliveries.eventsBetween(cursor, upTo, SWEEP_PAGE);
      if (events.length === 0) break;
      const last = events.at(-1)!.id;
      const deliveries = this.deliveriesFor(events, webhooks);
      created += await this.deps.storage.transaction(async (repos) => {
        const count = await repos.deliveries.enqueue(deliveries);
        await repos.deliveries.setCursor(this.deps.cursorName, last, this.deps.clock.now());
        return count;
      });
      cursor = last;
      if (events.length < SWEEP_PAGE) break;
    }
    return created;
  }

  deliveriesFor(events: readonly EventRecord[], webhooks: readonly WebhookRecord[]): DeliveryRecord[] {
    const now = this.deps.clock.now();
    const out: DeliveryRecord[] = [];
    for (const event of events) {
      for (const webhook of webhooks) {
        // A webhook receives what happened after it was created (replay covers the rest).
        if (event.timestamp < webhook.createdAt || !webhookWants(webhook, event)) continue;
        out.push(newDelivery(this.deps.newId(), webhook, event, now));
      }
    }
    return out;
  }
}

export function newDelivery(id: string, webhook: WebhookRecord, event: EventRecord, now: number): DeliveryRecord {
  return {
    id,
    webhookId: webhook.id,
    eventId: event.id,
    eventType: event.type,
    tenantId: event.tenantId,
    orderKey: event.sessionId ?? '',
    status: 'pending',
    attempts: 0,
    nextAttemptAt: now,
    windowStartedAt: now,
    lastAttemptAt: null,
    lastStatusCode: null,
    lastError: null,
    lastLatencyMs: null,
    deliveredAt: null,
    createdAt: now,
    updatedAt: now,
  };
}
