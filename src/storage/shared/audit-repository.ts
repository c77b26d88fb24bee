import { sql } from 'kysely';
import type { ActorType, AuditRecord } from '../../domain/audit.ts';
import { STAT_COUNTERS, type StatsBucket } from '../../domain/analytics.ts';
import type { AnalyticsRepository, AuditQuery, AuditRepository, StatsIncrement, StatsQuery } from '../account-ports.ts';
import type { AuditLogTable, MessageStatsTable } from './account-tables.ts';
import type { Db } from './database.ts';
import { toMillis } from './json.ts';
import { storableText } from './text.ts';

/** 11 parameters a row: far below both drivers' parameter limits. */
const INSERT_CHUNK = 400;

function toAudit(row: AuditLogTable): AuditRecord {
  return {
    id: row.id,
    at: toMillis(row.at),
    actorType: row.actor_type as ActorType,
    actorId: row.actor_id,
    tenantId: row.tenant_id,
    action: row.action,
    resource: row.resource,
    result: row.result,
    statusCode: row.status_code,
    requestId: row.request_id,
    sourceIp: row.source_ip,
  };
}

/** `column starts with prefix`, byte-exact on both drivers (LIKE differs: case, escapes). */
function startsWith(column: 'action' | 'resource', prefix: string) {
  return sql<boolean>`substr(${sql.ref(column)}, 1, ${sql.lit([...prefix].length)}) = ${prefix}`;
}

export class KyselyAuditRepository implements AuditRepository {
  constructor(private readonly db: Db) {}

  async append(records: AuditRecord[]): Promise<void> {
    const rows = records.map((r) => ({
      id: r.id,
      at: r.at,
      actor_type: r.actorType,
      actor_id: r.actorId,
      tenant_id: r.tenantId,
      action: r.action,
      resource: r.resource === null ? null : storableText(r.resource),
      result: r.result,
      status_code: r.statusCode,
      request_id: r.requestId,
      source_ip: r.sourceIp,
    }));
    for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
      await this.db.insertInto('audit_log').values(rows.slice(start, start + INSERT_CHUNK)).execute();
    }
  }

  async list(query: AuditQuery): Promise<AuditRecord[]> {
    let select = this.db.selectFrom('audit_log').selectAll();
    if (query.tenantId !== undefined) select = select.where('tenant_id', '=', query.tenantId);
    if (query.actorId !== undefined) select = select.where('actor_id', '=', query.actorId);
    if (query.action !== undefined) {
      select = query.action.endsWith('.*') ? select.where(startsWith('action', query.action.slice(0, -1))) : select.where('action', '=', query.action);
    }
    if (query.resource !== undefined) select = select.where(startsWith('resource', query.resource));
    if (query.from !== undefined) select = select.where('at', '>=', query.from);
    if (query.to !== undefined) select = select.where('at', '<', query.to);
    if (query.before !== undefined) select = select.where('id', '<', query.before);
    const rows = await select.orderBy('id', 'desc').limit(query.limit).execute();
    return rows.map(toAudit);
  }

  async pruneBefore(timestamp: number): Promise<number> {
    const result = await this.db.deleteFrom('audit_log').where('at', '<', timestamp).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

const COLUMN: Record<(typeof STAT_COUNTERS)[number], keyof MessageStatsTable> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  failed: 'failed',
  received: 'received',
  webhookOk: 'webhook_ok',
  webhookFailed: 'webhook_failed',
};

export class KyselyAnalyticsRepository implements AnalyticsRepository {
  constructor(private readonly db: Db) {}

  async increment(rows: StatsIncrement[]): Promise<void> {
    for (const row of rows) {
      const values: MessageStatsTable = {
        tenant_id: row.tenantId,
        session_id: row.sessionId,
        bucket_start: row.bucketStart,
        sent: row.sent,
        delivered: row.delivered,
        read: row.read,
        failed: row.failed,
        received: row.received,
        webhook_ok: row.webhookOk,
        webhook_failed: row.webhookFailed,
      };
      await this.db
        .insertInto('message_stats')
        .values(values)
        .onConflict((oc) =>
          oc.columns(['session_id', 'bucket_start']).doUpdateSet((eb) =>
            Object.fromEntries(STAT_COUNTERS.map((counter) => {
              const column = COLUMN[counter] as 'sent';
              return [column, eb(`message_stats.${column}`, '+', eb.ref(`excluded.${column}`))];
            })),
          ),
        )
        .execute();
    }
  }

  async list(query: StatsQuery): Promise<StatsBucket[]> {
    let select = this.db.selectFrom('message_stats').selectAll().where('bucket_start', '>=', query.from).where('bucket_start', '<', query.to);
    if (query.tenantId !== undefined) select = select.where('tenant_id', '=', query.tenantId);
    if (query.sessionId !== undefined) select = select.where('session_id', '=', query.sessionId);
    const rows = await select.orderBy('session_id').orderBy('bucket_start').execute();
    return rows.map((row) => ({
      tenantId: row.tenant_id,
      sessionId: row.session_id,
      bucketStart: toMillis(row.bucket_start),
      sent: Number(row.sent),
      delivered: Number(row.delivered),
      read: Number(row.read),
      failed: Number(row.failed),
      received: Number(row.received),
      webhookOk: Number(row.webhook_ok),
      webhookFailed: Number(row.webhook_failed),
    }));
  }

  async pruneBefore(timestamp: number): Promise<number> {
    const result = await this.db.deleteFrom('message_stats').where('bucket_start', '<', timestamp).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
