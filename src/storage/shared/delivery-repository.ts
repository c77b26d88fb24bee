/** The webhook delivery log, outbox cursors and outbox-aware event pruning. */
import type { EventRecord } from '../../domain/records.ts';
import { DELIVERY_STATUSES, type DeliveryRecord, type DeliveryStatus } from '../../domain/webhooks.ts';
import type { ClaimSkip, DeliveryListQuery, DeliveryOutcome, DeliveryRepository } from '../ports.ts';
import type { Db, Dialect, EventsTable, WebhookDeliveriesTable } from './database.ts';
import { atomically } from './atomically.ts';
import { claimCandidates } from './delivery-claim.ts';
import { fromJson, toMillis, toMillisOrNull } from './json.ts';
import { storableText } from './text.ts';

/** 17 parameters per row: 200 rows stay far below both drivers' parameter limits. */
const CHUNK = 200;
const UNFINISHED = ['pending', 'delivering'];

function toDelivery(row: WebhookDeliveriesTable): DeliveryRecord {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    eventId: row.event_id,
    eventType: row.event_type,
    tenantId: row.tenant_id,
    orderKey: row.order_key,
    status: row.status as DeliveryStatus,
    attempts: Number(row.attempts),
    nextAttemptAt: toMillis(row.next_attempt_at),
    windowStartedAt: toMillis(row.window_started_at),
    lastAttemptAt: toMillisOrNull(row.last_attempt_at),
    lastStatusCode: row.last_status_code === null ? null : Number(row.last_status_code),
    lastError: row.last_error,
    lastLatencyMs: row.last_latency_ms === null ? null : Number(row.last_latency_ms),
    deliveredAt: toMillisOrNull(row.delivered_at),
    createdAt: toMillis(row.created_at),
    updatedAt: toMillis(row.updated_at),
  };
}

function toRow(d: DeliveryRecord): WebhookDeliveriesTable {
  return {
    id: d.id,
    webhook_id: d.webhookId,
    event_id: d.eventId,
    event_type: d.eventType,
    tenant_id: d.tenantId,
    order_key: d.orderKey,
    status: d.status,
    attempts: d.attempts,
    next_attempt_at: d.nextAttemptAt,
    window_started_at: d.windowStartedAt,
    last_attempt_at: d.lastAttemptAt,
    last_status_code: d.lastStatusCode,
    last_error: storableText(d.lastError),
    last_latency_ms: d.lastLatencyMs,
    delivered_at: d.deliveredAt,
    created_at: d.createdAt,
    updated_at: d.updatedAt,
    claimed_by: null,
  };
}

function toEvent(row: EventsTable): EventRecord {
  return { id: row.id, type: row.type, tenantId: row.tenant_id, sessionId: row.session_id, timestamp: toMillis(row.timestamp), payload: fromJson<Record<string, unknown>>(row.payload) };
}

export class KyselyDeliveryRepository implements DeliveryRepository {
  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
  ) {}

  async enqueue(deliveries: DeliveryRecord[]): Promise<number> {
    if (deliveries.length === 0) return 0;
    return atomically(this.db, async (db) => {
      let inserted = 0;
      for (let start = 0; start < deliveries.length; start += CHUNK) {
        const result = await db
          .insertInto('webhook_deliveries')
          .values(deliveries.slice(start, start + CHUNK).map(toRow))
          .onConflict((oc) => oc.columns(['webhook_id', 'event_id']).doNothing())
          .executeTakeFirst();
        inserted += Number(result.numInsertedOrUpdatedRows ?? 0);
      }
      return inserted;
    });
  }

  async requeue(deliveries: DeliveryRecord[]): Promise<number> {
    if (deliveries.length === 0) return 0;
    return atomically(this.db, async (db) => {
      let changed = 0;
      for (let start = 0; start < deliveries.length; start += CHUNK) {
        const chunk = deliveries.slice(start, start + CHUNK);
        const at = chunk[0]!.createdAt;
        const result = await db
          .insertInto('webhook_deliveries')
          .values(chunk.map(toRow))
          .onConflict((oc) =>
            oc
              .columns(['webhook_id', 'event_id'])
              .doUpdateSet({ status: 'pending', next_attempt_at: at, window_started_at: at, updated_at: at })
              .where('webhook_deliveries.status', '!=', 'delivering'),
          )
          .executeTakeFirst();
        changed += Number(result.numInsertedOrUpdatedRows ?? 0);
      }
      return changed;
    });
  }

  async get(id: string): Promise<DeliveryRecord | undefined> {
    const row = await this.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toDelivery(row) : undefined;
  }

  async list(query: DeliveryListQuery): Promise<DeliveryRecord[]> {
    if (query.webhookIds !== undefined && query.webhookIds.length === 0) return [];
    let select = this.db.selectFrom('webhook_deliveries').selectAll();
    if (query.webhookId !== undefined) select = select.where('webhook_id', '=', query.webhookId);
    if (query.webhookIds !== undefined) select = select.where('webhook_id', 'in', query.webhookIds);
    if (query.tenantId !== undefined) select = select.where('tenant_id', '=', query.tenantId);
    if (query.status !== undefined) select = select.where('status', '=', query.status);
    if (query.after !== undefined) select = select.where('id', '>', query.after);
    const rows = await select.orderBy('id').limit(query.limit).execute();
    return rows.map(toDelivery);
  }

  async claimDue(now: number, limit: number, perWebhook: (webhookId: string) => number, skip: ClaimSkip = {}, claimedBy = 'single'): Promise<DeliveryRecord[]> {
    if (limit <= 0) return [];
    return atomically(this.db, async (db) => {
      const rows = await claimCandidates(db, this.dialect, now, limit * 2, skip);
      const taken = new Map<string, number>();
      const picked: DeliveryRecord[] = [];
      for (const row of rows) {
        if (picked.length >= limit) break;
        const count = taken.get(row.webhook_id) ?? 0;
        if (count >= perWebhook(row.webhook_id)) continue;
        taken.set(row.webhook_id, count + 1);
        picked.push({ ...toDelivery(row), status: 'delivering', updatedAt: now });
      }
      // Another node may have claimed some of them since the read: only the rows this update
      // changed are ours, so each attempt is made by exactly one node.
      const claimed = new Set<string>();
      for (let start = 0; start < picked.length; start += CHUNK) {
        const ids = picked.slice(start, start + CHUNK).map((d) => d.id);
        const rows = await db
          .updateTable('webhook_deliveries')
          .set({ status: 'delivering', updated_at: now, claimed_by: claimedBy })
          .where('id', 'in', ids)
          .where('status', '=', 'pending')
          .returning('id')
          .execute();
        for (const row of rows) claimed.add(row.id);
      }
      return picked.filter((d) => claimed.has(d.id));
    });
  }

  async finish(id: string, outcome: DeliveryOutcome, at: number): Promise<void> {
    await this.db
      .updateTable('webhook_deliveries')
      .set({
        status: outcome.status,
        attempts: outcome.attempts,
        next_attempt_at: outcome.nextAttemptAt,
        last_attempt_at: outcome.lastAttemptAt,
        last_status_code: outcome.lastStatusCode,
        last_error: storableText(outcome.lastError),
        last_latency_ms: outcome.lastLatencyMs,
        delivered_at: outcome.deliveredAt,
        updated_at: at,
        claimed_by: null,
      })
      .where('id', '=', id)
      .execute();
  }

  async releaseInFlight(at: number, claimedBy?: readonly string[]): Promise<number> {
    if (claimedBy !== undefined && claimedBy.length === 0) return 0;
    let update = this.db.updateTable('webhook_deliveries').set({ status: 'pending', updated_at: at, claimed_by: null }).where('status', '=', 'delivering');
    if (claimedBy !== undefined) update = update.where((eb) => eb.or([eb('claimed_by', 'in', [...claimedBy]), eb('claimed_by', 'is', null)]));
    const result = await update.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async retryDead(filter: { ids?: string[]; webhookId?: string; tenantId?: string }, at: number): Promise<number> {
    if (filter.ids !== undefined && filter.ids.length === 0) return 0;
    let update = this.db
      .updateTable('webhook_deliveries')
      .set({ status: 'pending', next_attempt_at: at, window_started_at: at, updated_at: at })
      .where('status', '=', 'dead');
    if (filter.ids !== undefined) update = update.where('id', 'in', filter.ids);
    if (filter.webhookId !== undefined) update = update.where('webhook_id', '=', filter.webhookId);
    if (filter.tenantId !== undefined) update = update.where('tenant_id', '=', filter.tenantId);
    const result = await update.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async countByStatus(): Promise<Record<DeliveryStatus, number>> {
    const rows = await this.db
      .selectFrom('webhook_deliveries')
      .select((eb) => ['status', eb.fn.countAll<number | string>().as('count')])
      .groupBy('status')
      .execute();
    const counts = Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, 0])) as Record<DeliveryStatus, number>;
    for (const row of rows) if (row.status in counts) counts[row.status as DeliveryStatus] = Number(row.count);
    return counts;
  }

  async pruneFinishedBefore(timestamp: number): Promise<number> {
    const result = await this.db
      .deleteFrom('webhook_deliveries')
      .where('status', 'in', ['delivered', 'dead'])
      .where('updated_at', '<', timestamp)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async pruneEventsBefore(timestamp: number): Promise<number> {
    const result = await this.db
      .deleteFrom('events')
      .where('timestamp', '<', timestamp)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('webhook_deliveries as d').select('d.id').whereRef('d.event_id', '=', 'events.id').where('d.status', 'in', UNFINISHED))),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async eventsByIds(ids: string[]): Promise<EventRecord[]> {
    const out: EventRecord[] = [];
    for (let start = 0; start < ids.length; start += 500) {
      const rows = await this.db.selectFrom('events').selectAll().where('id', 'in', ids.slice(start, start + 500)).execute();
      out.push(...rows.map(toEvent));
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async eventsBetween(after: string, upTo: string, limit: number): Promise<EventRecord[]> {
    const rows = await this.db.selectFrom('events').selectAll().where('id', '>', after).where('id', '<=', upTo).orderBy('id').limit(limit).execute();
    return rows.map(toEvent);
  }

  async getCursor(name: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('outbox_cursors').select('event_id').where('name', '=', name).executeTakeFirst();
    return row?.event_id;
  }

  async setCursor(name: string, eventId: string, at: number): Promise<void> {
    await this.db
      .insertInto('outbox_cursors')
      .values({ name, event_id: eventId, updated_at: at })
      // Several nodes sweep; the cursor never moves back.
      .onConflict((oc) => oc.column('name').doUpdateSet({ event_id: eventId, updated_at: at }).where('outbox_cursors.event_id', '<', eventId))
      .execute();
  }
}
