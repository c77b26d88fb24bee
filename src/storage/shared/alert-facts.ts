/** The reads the alert rules are evaluated on: four grouped queries for every tenant at once. */
import type { AlertFacts } from '../../domain/alerts.ts';
import type { SessionStatus } from '../../domain/session.ts';
import type { Db } from './database.ts';
import { toMillis } from './json.ts';

export async function queryAlertFacts(db: Db, sessionStatuses: readonly string[], recentSince: number): Promise<AlertFacts> {
  const sessions = sessionStatuses.length
    ? await db.selectFrom('sessions').select(['id', 'tenant_id', 'status', 'updated_at']).where('status', 'in', [...sessionStatuses]).execute()
    : [];
  const webhooks = await db
    .selectFrom('webhook_deliveries')
    .select((eb) => [
      'tenant_id',
      'webhook_id',
      eb.fn.sum<number | string>(eb.case().when('status', '=', 'dead').then(1).else(0).end()).as('dead'),
      eb.fn.max<number | string>(eb.case().when('status', 'in', ['pending', 'delivering']).then(eb.ref('attempts')).else(0).end()).as('max_failed'),
    ])
    .where((eb) => eb.or([eb('status', '=', 'dead'), eb.and([eb('status', 'in', ['pending', 'delivering']), eb('attempts', '>', 0)])]))
    .groupBy(['tenant_id', 'webhook_id'])
    .execute();
  // Success rate: deliveries last touched in the window (webhook_deliveries_updated_idx), whatever their state.
  const recent = await db
    .selectFrom('webhook_deliveries')
    .select((eb) => [
      'tenant_id',
      'webhook_id',
      eb.fn.sum<number | string>(eb.case().when('status', '=', 'delivered').then(1).else(0).end()).as('delivered'),
      eb.fn.sum<number | string>(eb.case().when('status', '=', 'dead').then(1).when('attempts', '>', 0).then(eb.case().when('status', '=', 'delivered').then(0).else(1).end()).else(0).end()).as('failed'),
    ])
    .where('updated_at', '>=', recentSince)
    .groupBy(['tenant_id', 'webhook_id'])
    .execute();
  const queues = await db
    .selectFrom('outbound_queue')
    .select((eb) => ['tenant_id', eb.fn.min<number | string>('enqueued_at').as('oldest'), eb.fn.countAll<number | string>().as('depth')])
    .where('held', '=', 0)
    .groupBy('tenant_id')
    .execute();
  return {
    sessions: sessions.map((row) => ({ id: row.id, tenantId: row.tenant_id, status: row.status as SessionStatus, since: toMillis(row.updated_at) })),
    webhooks: mergeWebhookFacts(webhooks, recent),
    queues: queues.map((row) => ({ tenantId: row.tenant_id, oldestEnqueuedAt: toMillis(row.oldest), depth: Number(row.depth) })),
  };
}

type WebhookFact = AlertFacts['webhooks'][number];

function mergeWebhookFacts(
  failing: Array<{ tenant_id: string; webhook_id: string; dead: number | string | null; max_failed: number | string | null }>,
  recent: Array<{ tenant_id: string; webhook_id: string; delivered: number | string | null; failed: number | string | null }>,
): WebhookFact[] {
  const byWebhook = new Map<string, WebhookFact>();
  const entry = (tenantId: string, webhookId: string): WebhookFact => {
    const key = `${tenantId}/${webhookId}`;
    const found = byWebhook.get(key) ?? { tenantId, webhookId, dead: 0, maxFailedAttempts: 0, recentDelivered: 0, recentFailed: 0 };
    byWebhook.set(key, found);
    return found;
  };
  for (const row of failing) Object.assign(entry(row.tenant_id, row.webhook_id), { dead: Number(row.dead ?? 0), maxFailedAttempts: Number(row.max_failed ?? 0) });
  for (const row of recent) Object.assign(entry(row.tenant_id, row.webhook_id), { recentDelivered: Number(row.delivered ?? 0), recentFailed: Number(row.failed ?? 0) });
  return [...byWebhook.values()];
}
