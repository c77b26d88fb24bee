/** The reads the alert rules are evaluated on: three grouped queries for every tenant at once. */
import type { AlertFacts } from '../../domain/alerts.ts';
import type { SessionStatus } from '../../domain/session.ts';
import type { Db } from './database.ts';
import { toMillis } from './json.ts';

export async function queryAlertFacts(db: Db, sessionStatuses: readonly string[]): Promise<AlertFacts> {
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
  const queues = await db
    .selectFrom('outbound_queue')
    .select((eb) => ['tenant_id', eb.fn.min<number | string>('enqueued_at').as('oldest'), eb.fn.countAll<number | string>().as('depth')])
    .where('held', '=', 0)
    .groupBy('tenant_id')
    .execute();
  return {
    sessions: sessions.map((row) => ({ id: row.id, tenantId: row.tenant_id, status: row.status as SessionStatus, since: toMillis(row.updated_at) })),
    webhooks: webhooks.map((row) => ({ tenantId: row.tenant_id, webhookId: row.webhook_id, dead: Number(row.dead), maxFailedAttempts: Number(row.max_failed) })),
    queues: queues.map((row) => ({ tenantId: row.tenant_id, oldestEnqueuedAt: toMillis(row.oldest), depth: Number(row.depth) })),
  };
}
