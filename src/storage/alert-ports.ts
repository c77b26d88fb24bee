/**
 * Storage port of built-in alerting: alerts, silences, channels, per-tenant rule overrides, and the
 * read-only facts the rules are evaluated on. Repositories extends it.
 */
import type { AlertChannel, AlertRecord, AlertSilence, AlertStatus } from '../domain/alert-records.ts';
import type { AlertFacts, AlertRuleOverrides } from '../domain/alerts.ts';

export interface AlertListQuery {
  /** Alerts of this tenant only; undefined = all (admin), including installation-wide ones. */
  tenantId?: string;
  status?: AlertStatus;
  limit: number;
}

export interface AlertRepository {
  /** Facts for every tenant at once: sessions in watched statuses, failing webhooks, queue heads. */
  /** recentSince: the start of webhook_failing's success-rate window. */
  facts(sessionStatuses: readonly string[], recentSince: number): Promise<AlertFacts>;
  /** Firing alerts (all tenants). */
  listFiring(): Promise<AlertRecord[]>;
  /** Inserts a firing alert; false when one is already firing for its (tenant, rule) — another node won. */
  insertFiring(alert: AlertRecord): Promise<boolean>;
  /** Updates count, subjects and summary of a firing alert. */
  refresh(id: string, patch: Pick<AlertRecord, 'count' | 'subjects' | 'summary' | 'severity'>, at: number): Promise<void>;
  /** firing → resolved; false when it was not firing any more (another node resolved it). */
  resolve(id: string, at: number): Promise<boolean>;
  /** Claims the firing notification: false when it was sent already. */
  claimNotification(id: string, at: number): Promise<boolean>;
  get(id: string): Promise<AlertRecord | undefined>;
  /** Newest first. */
  list(query: AlertListQuery): Promise<AlertRecord[]>;
  acknowledge(id: string, keyId: string, at: number): Promise<AlertRecord | undefined>;
  countFiringByRule(): Promise<Array<{ rule: string; count: number }>>;

  createSilence(silence: AlertSilence): Promise<void>;
  /** Silences not yet ended; tenantId undefined = every silence. */
  listSilences(now: number, tenantId?: string): Promise<AlertSilence[]>;
  getSilence(id: string): Promise<AlertSilence | undefined>;
  deleteSilence(id: string): Promise<boolean>;

  createChannel(channel: AlertChannel): Promise<void>;
  getChannel(id: string): Promise<AlertChannel | undefined>;
  /** tenantId undefined = all; null = global only. */
  listChannels(tenantId?: string | null): Promise<AlertChannel[]>;
  deleteChannel(id: string): Promise<boolean>;
  recordChannelResult(id: string, at: number, error: string | null): Promise<void>;

  getRules(tenantId: string): Promise<AlertRuleOverrides | undefined>;
  /** Every tenant's overrides (one read per evaluation). */
  allRules(): Promise<Map<string, AlertRuleOverrides>>;
  setRules(tenantId: string, rules: AlertRuleOverrides, at: number): Promise<void>;
  /** Deletes resolved alerts and silences that ended before `before`; returns how many rows went. */
  prune(before: number): Promise<number>;
}

export interface AlertRepositories {
  alerts: AlertRepository;
}
