/**
 * The webhook claim's query: the deliveries that may go now, earliest due first.
 *
 * Only the head of a (webhook, session) group may go — its earliest unfinished delivery — so that a
 * session's events arrive in order; a head that is delivering keeps its group waiting. `groups`
 * walks the partial index of unfinished deliveries (migration 0007) from one group to the next, a
 * loose index scan: a few index seeks per group however deep its backlog. Then each group's head
 * is looked up. The query this replaces tested every due row for an unfinished predecessor and so
 * read a session's whole backlog on every dispatcher round (bench/webhook-claim.ts: 15 ms per
 * claim on SQLite and 364 ms on PostgreSQL with 10,000 deliveries queued for one session).
 */
import { sql, type RawBuilder } from 'kysely';
import type { ClaimSkip } from '../ports.ts';
import type { Db, Dialect, WebhookDeliveriesTable } from './database.ts';

/**
 * The table as the index walks read it. SQLite's planner, without statistics, prefers the due index
 * for `status in (…)` and sorts; INDEXED BY keeps it on the partial index, whose order is the walk's.
 * Statuses are literals throughout: with bound ones neither database could prove that the partial
 * index applies.
 */
function unfinished(dialect: Dialect, alias: string): RawBuilder<unknown> {
  const table = sql`webhook_deliveries as ${sql.raw(alias)}`;
  return dialect === 'sqlite' ? sql`${table} indexed by webhook_deliveries_heads_idx` : table;
}

/**
 * The group after g in index order: a later session of the same webhook, else the first of the next
 * webhook. Two plain range seeks; a row-value comparison `(webhook_id, order_key) > (…)` was a scan
 * of g's whole webhook on SQLite.
 */
function nextGroup(dialect: Dialect, column: 'webhook_id' | 'order_key'): RawBuilder<unknown> {
  return sql`coalesce(
    (select n.${sql.raw(column)} from ${unfinished(dialect, 'n')}
      where n.status in ('pending', 'delivering') and n.webhook_id = g.webhook_id and n.order_key > g.order_key
      order by n.order_key limit 1),
    (select n.${sql.raw(column)} from ${unfinished(dialect, 'n')}
      where n.status in ('pending', 'delivering') and n.webhook_id > g.webhook_id
      order by n.webhook_id, n.order_key limit 1))`;
}

/** The recursive step: the group after each g (PostgreSQL seeks a row value through LATERAL). */
function nextGroups(dialect: Dialect): RawBuilder<unknown> {
  if (dialect === 'postgres') {
    return sql`select n.webhook_id, n.order_key from groups as g cross join lateral (
      select x.webhook_id, x.order_key from webhook_deliveries as x
      where x.status in ('pending', 'delivering') and (x.webhook_id, x.order_key) > (g.webhook_id, g.order_key)
      order by x.webhook_id, x.order_key limit 1) as n`;
  }
  return sql`select ${nextGroup(dialect, 'webhook_id')}, ${nextGroup(dialect, 'order_key')} from groups as g where g.webhook_id is not null`;
}

/**
 * `d`: each group's head row, through an index. PostgreSQL gets it with LATERAL, one index probe
 * per group whatever its statistics say (joined the plain way, a planner that believes the table
 * small scans every row of the webhook). SQLite has no LATERAL and needs none: CROSS JOIN keeps the
 * written order, and the row is found by the unique (webhook, event) key.
 */
function headOfEachGroup(dialect: Dialect): RawBuilder<unknown> {
  if (dialect === 'postgres') {
    return sql`groups as g cross join lateral (
      select x.* from webhook_deliveries as x
      where x.status in ('pending', 'delivering') and x.webhook_id = g.webhook_id and x.order_key = g.order_key
      order by x.event_id limit 1) as d`;
  }
  return sql`groups as g cross join webhook_deliveries as d
    on d.webhook_id = g.webhook_id and d.event_id = (
      select min(e.event_id) from ${unfinished(dialect, 'e')}
      where e.status in ('pending', 'delivering') and e.webhook_id = g.webhook_id and e.order_key = g.order_key)`;
}

/** Up to `limit` group heads that are pending, due by `now`, of enabled webhooks, not skipped. */
export async function claimCandidates(db: Db, dialect: Dialect, now: number, limit: number, skip: ClaimSkip): Promise<WebhookDeliveriesTable[]> {
  const skipWebhooks = skip.webhooks && skip.webhooks.size > 0 ? sql`and d.webhook_id not in (${sql.join([...skip.webhooks])})` : sql``;
  const skipGroups = skip.groups && skip.groups.size > 0 ? sql`and d.webhook_id || ' ' || d.order_key not in (${sql.join([...skip.groups])})` : sql``;
  const { rows } = await sql<WebhookDeliveriesTable>`
    with recursive groups(webhook_id, order_key) as (
      select * from (
        select webhook_id, order_key from ${unfinished(dialect, 'f')}
        where f.status in ('pending', 'delivering')
        order by webhook_id, order_key limit 1
      ) as first_group
      union all
      ${nextGroups(dialect)}
    )
    select d.* from ${headOfEachGroup(dialect)}
    inner join webhooks as w on w.id = d.webhook_id
    where d.status = ${'pending'} and d.next_attempt_at <= ${now} and w.enabled = ${1}
      ${skipWebhooks} ${skipGroups}
    order by d.next_attempt_at
    limit ${sql.lit(limit)}`.execute(db);
  return rows;
}
