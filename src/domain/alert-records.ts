/** Stored alerting records: alerts, silences, notification channels. Timestamps are epoch ms. */
import type { AlertRuleName, AlertSeverity } from './alerts.ts';

export type AlertStatus = 'firing' | 'resolved';

export interface AlertRecord {
  id: string;
  /** null: an installation-wide alert (node_down), visible to admin keys only. */
  tenantId: string | null;
  rule: AlertRuleName;
  severity: AlertSeverity;
  status: AlertStatus;
  summary: string;
  count: number;
  subjects: string[];
  startedAt: number;
  updatedAt: number;
  resolvedAt: number | null;
  acknowledgedAt: number | null;
  /** Key id that acknowledged it. */
  acknowledgedBy: string | null;
  /** When channels were told it fires (null while silenced, until a silence ends). */
  notifiedAt: number | null;
}

export interface AlertSilence {
  id: string;
  /** null: every tenant (admin only). */
  tenantId: string | null;
  /** null: every rule. */
  rule: AlertRuleName | null;
  endsAt: number;
  reason: string | null;
  createdBy: string;
  createdAt: number;
}

export const ALERT_CHANNEL_TYPES = ['webhook', 'slack', 'email'] as const;
export type AlertChannelType = (typeof ALERT_CHANNEL_TYPES)[number];

export interface AlertChannel {
  id: string;
  /** null: a global channel (admin) that hears every tenant's alerts. */
  tenantId: string | null;
  type: AlertChannelType;
  /** webhook/slack: the URL; email: unused. */
  url: string | null;
  /** email: recipients. */
  to: string[];
  /** Minimum severity sent to this channel. */
  minSeverity: AlertSeverity;
  enabled: boolean;
  lastSentAt: number | null;
  lastError: string | null;
  createdAt: number;
}

export function silences(silence: AlertSilence, alert: Pick<AlertRecord, 'tenantId' | 'rule'>, now: number): boolean {
  return silence.endsAt > now && (silence.tenantId === null || silence.tenantId === alert.tenantId) && (silence.rule === null || silence.rule === alert.rule);
}

const SEVERITY_RANK: Record<AlertSeverity, number> = { info: 0, warning: 1, critical: 2 };

export function channelWants(channel: AlertChannel, alert: Pick<AlertRecord, 'tenantId' | 'severity'>): boolean {
  return channel.enabled && (channel.tenantId === null || channel.tenantId === alert.tenantId) && SEVERITY_RANK[alert.severity] >= SEVERITY_RANK[channel.minSeverity];
}
