import type { AlertChannel, AlertChannelType, AlertRecord, AlertSilence, AlertStatus } from '../../domain/alert-records.ts';
import type { AlertRuleName, AlertRuleOverrides, AlertSeverity } from '../../domain/alerts.ts';
import { alertFingerprint } from '../../domain/alerts.ts';
import type { AlertListQuery, AlertRepository } from '../alert-ports.ts';
import type { AlertChannelsTable, AlertSilencesTable, AlertsTable } from './alert-tables.ts';
import type { Db } from './database.ts';
import { isUniqueViolation } from './errors.ts';
import { fromJson, toJson, toMillis, toMillisOrNull } from './json.ts';
import { queryAlertFacts } from './alert-facts.ts';

function toAlert(row: AlertsTable): AlertRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    rule: row.rule as AlertRuleName,
    severity: row.severity as AlertSeverity,
    status: row.status as AlertStatus,
    summary: row.summary,
    count: row.count,
    subjects: fromJson<string[]>(row.subjects),
    startedAt: toMillis(row.started_at),
    updatedAt: toMillis(row.updated_at),
    resolvedAt: toMillisOrNull(row.resolved_at),
    acknowledgedAt: toMillisOrNull(row.acknowledged_at),
    acknowledgedBy: row.acknowledged_by,
    notifiedAt: toMillisOrNull(row.notified_at),
  };
}

function toSilence(row: AlertSilencesTable): AlertSilence {
  return { id: row.id, tenantId: row.tenant_id, rule: row.rule as AlertRuleName | null, endsAt: toMillis(row.ends_at), reason: row.reason, createdBy: row.created_by, createdAt: toMillis(row.created_at) };
}

function toChannel(row: AlertChannelsTable): AlertChannel {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    type: row.type as AlertChannelType,
    url: row.url,
    to: fromJson<string[]>(row.recipients),
    minSeverity: row.min_severity as AlertSeverity,
    enabled: row.enabled === 1,
    lastSentAt: toMillisOrNull(row.last_sent_at),
    lastError: row.last_error,
    createdAt: toMillis(row.created_at),
  };
}

export class KyselyAlertRepository implements AlertRepository {
  constructor(private readonly db: Db) {}

  facts(sessionStatuses: readonly string[], recentSince: number) {
    return queryAlertFacts(this.db, sessionStatuses, recentSince);
  }

  async listFiring(): Promise<AlertRecord[]> {
    return (await this.db.selectFrom('alerts').selectAll().where('status', '=', 'firing').execute()).map(toAlert);
  }

  async insertFiring(alert: AlertRecord): Promise<boolean> {
    try {
      await this.db
        .insertInto('alerts')
        .values({
          id: alert.id,
          tenant_id: alert.tenantId,
          rule: alert.rule,
          severity: alert.severity,
          status: 'firing',
          open_fingerprint: alertFingerprint(alert.tenantId, alert.rule),
          summary: alert.summary,
          count: alert.count,
          subjects: toJson(alert.subjects),
          started_at: alert.startedAt,
          updated_at: alert.updatedAt,
          resolved_at: null,
          acknowledged_at: null,
          acknowledged_by: null,
          notified_at: alert.notifiedAt,
        })
        .execute();
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async refresh(id: string, patch: Pick<AlertRecord, 'count' | 'subjects' | 'summary' | 'severity'>, at: number): Promise<void> {
    await this.db
      .updateTable('alerts')
      .set({ count: patch.count, subjects: toJson(patch.subjects), summary: patch.summary, severity: patch.severity, updated_at: at })
      .where('id', '=', id)
      .where('status', '=', 'firing')
      .execute();
  }

  async resolve(id: string, at: number): Promise<boolean> {
    const result = await this.db
      .updateTable('alerts')
      .set({ status: 'resolved', open_fingerprint: null, resolved_at: at, updated_at: at })
      .where('id', '=', id)
      .where('status', '=', 'firing')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async claimNotification(id: string, at: number): Promise<boolean> {
    const result = await this.db.updateTable('alerts').set({ notified_at: at }).where('id', '=', id).where('notified_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async get(id: string): Promise<AlertRecord | undefined> {
    const row = await this.db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toAlert(row);
  }

  async list(query: AlertListQuery): Promise<AlertRecord[]> {
    let select = this.db.selectFrom('alerts').selectAll();
    if (query.tenantId !== undefined) select = select.where('tenant_id', '=', query.tenantId);
    if (query.status !== undefined) select = select.where('status', '=', query.status);
    return (await select.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(query.limit).execute()).map(toAlert);
  }

  async acknowledge(id: string, keyId: string, at: number): Promise<AlertRecord | undefined> {
    await this.db.updateTable('alerts').set({ acknowledged_at: at, acknowledged_by: keyId }).where('id', '=', id).where('acknowledged_at', 'is', null).execute();
    return this.get(id);
  }

  async countFiringByRule(): Promise<Array<{ rule: string; count: number }>> {
    const rows = await this.db.selectFrom('alerts').select(['rule', (eb) => eb.fn.countAll<number | string>().as('count')]).where('status', '=', 'firing').groupBy('rule').execute();
    return rows.map((row) => ({ rule: row.rule, count: Number(row.count) }));
  }

  async createSilence(silence: AlertSilence): Promise<void> {
    await this.db
      .insertInto('alert_silences')
      .values({ id: silence.id, tenant_id: silence.tenantId, rule: silence.rule, ends_at: silence.endsAt, reason: silence.reason, created_by: silence.createdBy, created_at: silence.createdAt })
      .execute();
  }

  async listSilences(now: number, tenantId?: string): Promise<AlertSilence[]> {
    let select = this.db.selectFrom('alert_silences').selectAll().where('ends_at', '>', now);
    if (tenantId !== undefined) select = select.where('tenant_id', '=', tenantId);
    return (await select.orderBy('ends_at').execute()).map(toSilence);
  }

  async getSilence(id: string): Promise<AlertSilence | undefined> {
    const row = await this.db.selectFrom('alert_silences').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toSilence(row);
  }

  async deleteSilence(id: string): Promise<boolean> {
    return Number((await this.db.deleteFrom('alert_silences').where('id', '=', id).executeTakeFirst()).numDeletedRows) === 1;
  }

  async createChannel(channel: AlertChannel): Promise<void> {
    await this.db
      .insertInto('alert_channels')
      .values({
        id: channel.id,
        tenant_id: channel.tenantId,
        type: channel.type,
        url: channel.url,
        recipients: toJson(channel.to),
        min_severity: channel.minSeverity,
        enabled: channel.enabled ? 1 : 0,
        last_sent_at: null,
        last_error: null,
        created_at: channel.createdAt,
      })
      .execute();
  }

  async getChannel(id: string): Promise<AlertChannel | undefined> {
    const row = await this.db.selectFrom('alert_channels').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toChannel(row);
  }

  async listChannels(tenantId?: string | null): Promise<AlertChannel[]> {
    let select = this.db.selectFrom('alert_channels').selectAll();
    if (tenantId === null) select = select.where('tenant_id', 'is', null);
    else if (tenantId !== undefined) select = select.where('tenant_id', '=', tenantId);
    return (await select.orderBy('created_at').orderBy('id').execute()).map(toChannel);
  }

  async deleteChannel(id: string): Promise<boolean> {
    return Number((await this.db.deleteFrom('alert_channels').where('id', '=', id).executeTakeFirst()).numDeletedRows) === 1;
  }

  async recordChannelResult(id: string, at: number, error: string | null): Promise<void> {
    await this.db.updateTable('alert_channels').set(error === null ? { last_sent_at: at, last_error: null } : { last_error: error }).where('id', '=', id).execute();
  }

  async getRules(tenantId: string): Promise<AlertRuleOverrides | undefined> {
    const row = await this.db.selectFrom('tenant_alert_rules').select('rules').where('tenant_id', '=', tenantId).executeTakeFirst();
    return row && fromJson<AlertRuleOverrides>(row.rules);
  }

  async allRules(): Promise<Map<string, AlertRuleOverrides>> {
    const rows = await this.db.selectFrom('tenant_alert_rules').select(['tenant_id', 'rules']).execute();
    return new Map(rows.map((row) => [row.tenant_id, fromJson<AlertRuleOverrides>(row.rules)]));
  }

  async setRules(tenantId: string, rules: AlertRuleOverrides, at: number): Promise<void> {
    await this.db
      .insertInto('tenant_alert_rules')
      .values({ tenant_id: tenantId, rules: toJson(rules), updated_at: at })
      .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ rules: toJson(rules), updated_at: at }))
      .execute();
  }

  async prune(before: number): Promise<number> {
    // started_at <= resolved_at, so the (status, started_at) index bounds the scan.
    const alerts = await this.db.deleteFrom('alerts').where('status', '=', 'resolved').where('started_at', '<', before).where('resolved_at', '<', before).executeTakeFirst();
    const silences = await this.db.deleteFrom('alert_silences').where('ends_at', '<', before).executeTakeFirst();
    return Number(alerts.numDeletedRows) + Number(silences.numDeletedRows);
  }
}
