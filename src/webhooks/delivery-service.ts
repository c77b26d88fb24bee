/** The deliveries API: delivery logs, redeliver, replay, dead letters — behind the same tenant walls as webhooks. */
import { encodeTime } from 'ulid';
import type { Principal } from '../auth/principal.ts';
import { tenantOf } from '../auth/principal.ts';
import type { Clock } from '../clock.ts';
import { AppError } from '../errors/app-error.ts';
import { requireScope } from '../sessions/session-service.ts';
import type { Storage } from '../storage/ports.ts';
import { matchesEventType, type DeliveryRecord, type DeliveryStatus } from '../domain/webhooks.ts';
import { newDelivery } from './fan-out.ts';
import type { WebhookService } from './webhook-service.ts';

export type DeliveryView = Omit<DeliveryRecord, 'tenantId' | 'orderKey' | 'windowStartedAt'> & { sessionId: string | null };

export function deliveryView(d: DeliveryRecord): DeliveryView {
  const { tenantId: _t, orderKey, windowStartedAt: _w, ...rest } = d;
  return { ...rest, sessionId: orderKey === '' ? null : orderKey };
}

export interface ReplayInput {
  /** Everything after this event id. */
  after?: string;
  /** Or a time range (epoch ms, inclusive). */
  from?: number;
  to?: number;
  limit: number;
}

const PAGE = 500;

export class DeliveryService {
  constructor(
    private readonly deps: { storage: Storage; clock: Clock; newId: () => string; webhooks: WebhookService; changed: () => void },
  ) {}

  async list(principal: Principal, webhookId: string, query: { status?: DeliveryStatus; after?: string; limit: number }): Promise<DeliveryView[]> {
    const webhook = await this.deps.webhooks.visible(principal, webhookId);
    const rows = await this.deps.storage.deliveries.list({ webhookId: webhook.id, ...query });
    return rows.map(deliveryView);
  }

  async get(principal: Principal, webhookId: string, deliveryId: string): Promise<DeliveryRecord> {
    const webhook = await this.deps.webhooks.visible(principal, webhookId);
    const delivery = await this.deps.storage.deliveries.get(deliveryId);
    if (!delivery || delivery.webhookId !== webhook.id) throw new AppError('DELIVERY_NOT_FOUND', `Delivery "${deliveryId}" not found.`);
    return delivery;
  }

  /** Sends one delivery again (whatever its status), with a fresh retry window. */
  async redeliver(principal: Principal, webhookId: string, deliveryId: string): Promise<DeliveryView> {
    const delivery = await this.get(principal, webhookId, deliveryId);
    await this.deps.storage.deliveries.requeue([{ ...delivery, status: 'pending', createdAt: this.deps.clock.now() }]);
    this.deps.changed();
    return deliveryView((await this.deps.storage.deliveries.get(delivery.id)) ?? delivery);
  }

  /** Queues every retained event the webhook covers after an event id or inside a time range. */
  async replay(principal: Principal, webhookId: string, input: ReplayInput): Promise<{ queued: number; lastEventId: string | null }> {
    const webhook = await this.deps.webhooks.visible(principal, webhookId);
    if (input.after === undefined && input.from === undefined) throw new AppError('VALIDATION_FAILED', 'Give "after" (an event id) or "from" (epoch ms).', { field: 'body.after' });
    const to = input.to ?? Number.MAX_SAFE_INTEGER;
    let cursor = input.after ?? encodeTime(Math.max(input.from ?? 0, 0), 10);
    let queued = 0;
    let lastEventId: string | null = null;
    let seen = 0;
    while (seen < input.limit) {
      const events = await this.deps.storage.events.list({
        ...(webhook.tenantId !== null ? { tenantId: webhook.tenantId } : {}),
        ...(webhook.sessionId !== null ? { sessionId: webhook.sessionId } : {}),
        after: cursor,
        limit: Math.min(PAGE, input.limit - seen),
      });
      if (events.length === 0) break;
      seen += events.length;
      cursor = events.at(-1)!.id;
      const now = this.deps.clock.now();
      const wanted = events.filter((e) => e.timestamp >= (input.from ?? 0) && e.timestamp <= to && matchesEventType(webhook.events, e.type));
      queued += await this.deps.storage.deliveries.requeue(wanted.map((e) => newDelivery(this.deps.newId(), webhook, e, now)));
      if (wanted.length > 0) lastEventId = wanted.at(-1)!.id;
      if (events.at(-1)!.timestamp > to || events.length < PAGE) break;
    }
    this.deps.changed();
    return { queued, lastEventId };
  }

  /** Dead deliveries of the webhooks this principal manages (optionally one webhook). */
  async deadLetters(principal: Principal, query: { webhook?: string; after?: string; limit: number }): Promise<DeliveryView[]> {
    const webhookIds = await this.visibleIds(principal, query.webhook);
    const rows = await this.deps.storage.deliveries.list({ ...(webhookIds ? { webhookIds } : {}), status: 'dead', ...(query.after ? { after: query.after } : {}), limit: query.limit });
    return rows.map(deliveryView);
  }

  /** Puts dead deliveries back to pending: the given ids, or all of one webhook, or all visible ones. */
  async retryDead(principal: Principal, input: { webhook?: string; ids?: string[] }): Promise<{ queued: number }> {
    const webhookIds = await this.visibleIds(principal, input.webhook);
    const now = this.deps.clock.now();
    let queued = 0;
    if (input.ids !== undefined) {
      const allowed: string[] = [];
      for (const id of input.ids) {
        const delivery = await this.deps.storage.deliveries.get(id);
        if (delivery && (!webhookIds || webhookIds.includes(delivery.webhookId))) allowed.push(id);
      }
      queued = await this.deps.storage.deliveries.retryDead({ ids: allowed }, now);
    } else if (webhookIds) {
      for (const webhookId of webhookIds) queued += await this.deps.storage.deliveries.retryDead({ webhookId }, now);
    } else {
      queued = await this.deps.storage.deliveries.retryDead({}, now);
    }
    this.deps.changed();
    return { queued };
  }

  /** undefined = no restriction (admin, no webhook named). */
  private async visibleIds(principal: Principal, webhook: string | undefined): Promise<string[] | undefined> {
    if (webhook !== undefined) return [(await this.deps.webhooks.visible(principal, webhook)).id];
    requireScope(principal, 'manage');
    const own = tenantOf(principal);
    if (own === undefined) return undefined;
    return (await this.deps.storage.webhooks.list({ tenantId: own })).map((w) => w.id);
  }
}
