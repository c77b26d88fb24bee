/** Row shapes of the alerting tables (migration 0030). */

export interface AlertsTable {
  id: string;
  tenant_id: string | null;
  rule: string;
  severity: string;
  status: string;
  open_fingerprint: string | null;
  summary: string;
  count: number;
  subjects: string;
  started_at: number;
  updated_at: number;
  resolved_at: number | null;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  notified_at: number | null;
}

export interface AlertSilencesTable {
  id: string;
  tenant_id: string | null;
  rule: string | null;
  ends_at: number;
  reason: string | null;
  created_by: string;
  created_at: number;
}

export interface AlertChannelsTable {
  id: string;
  tenant_id: string | null;
  type: string;
  url: string | null;
  recipients: string;
  min_severity: string;
  enabled: number;
  last_sent_at: number | null;
  last_error: string | null;
  created_at: number;
}

export interface TenantAlertRulesTable {
  tenant_id: string;
  rules: string;
  updated_at: number;
}

export interface AlertTables {
  alerts: AlertsTable;
  alert_silences: AlertSilencesTable;
  alert_channels: AlertChannelsTable;
  tenant_alert_rules: TenantAlertRulesTable;
}
