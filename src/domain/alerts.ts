/**
 * Built-in alerting rules (docs/operations.md "Alerts"). Pure: the facts come in, the conditions
 * that hold go out. One condition per (tenant, rule) — 200 sessions down at once is one alert with
 * a count, never 200 — so notifications cannot storm.
 */
import type { SessionStatus } from './session.ts';

export const ALERT_RULES = ['session_failed', 'session_logged_out', 'session_unhealthy', 'qr_unscanned', 'webhook_failing', 'queue_wait_high', 'node_down'] as const;
export type AlertRuleName = (typeof ALERT_RULES)[number];
export type AlertSeverity = 'critical' | 'warning' | 'info';

export interface RuleSettings {
  enabled: boolean;
  /** How long a subject must be in the condition before the rule fires. */
  forMinutes: number;
  /** webhook_failing: attempts a delivery has failed before its endpoint counts as failing. */
  failedAttempts: number;
  /**
   * webhook_failing: the share of deliveries (percent) that must have succeeded over the last
   * WEBHOOK_SUCCESS_WINDOW_MS, once at least WEBHOOK_SUCCESS_MIN_DELIVERIES were tried; 0 turns it off.
   */
  minSuccessPercent: number;
}

/** The success-rate window of webhook_failing, and how many deliveries it needs before it judges. */
export const WEBHOOK_SUCCESS_WINDOW_MS = 15 * 60_000;
export const WEBHOOK_SUCCESS_MIN_DELIVERIES = 10;

export interface RuleDefinition extends RuleSettings {
  severity: AlertSeverity;
  description: string;
}

export const RULE_DEFINITIONS: Readonly<Record<AlertRuleName, RuleDefinition>> = {
  session_failed: { severity: 'critical', enabled: true, forMinutes: 0, failedAttempts: 0, minSuccessPercent: 0, description: 'Sessions the circuit breaker stopped (FAILED).' },
  session_logged_out: { severity: 'warning', enabled: true, forMinutes: 0, failedAttempts: 0, minSuccessPercent: 0, description: 'Sessions the phone or WhatsApp logged out (LOGGED_OUT): a new QR is needed.' },
  session_unhealthy: { severity: 'warning', enabled: true, forMinutes: 5, failedAttempts: 0, minSuccessPercent: 0, description: 'Sessions RECONNECTING or STARTING for longer than forMinutes.' },
  qr_unscanned: { severity: 'info', enabled: true, forMinutes: 10, failedAttempts: 0, minSuccessPercent: 0, description: 'Sessions waiting for a QR scan for longer than forMinutes.' },
  webhook_failing: { severity: 'warning', enabled: true, forMinutes: 0, failedAttempts: 3, minSuccessPercent: 80, description: 'Webhooks with dead letters, deliveries that failed failedAttempts times in a row, or fewer than minSuccessPercent % of the last 15 min\'s deliveries delivered.' },
  queue_wait_high: { severity: 'warning', enabled: true, forMinutes: 10, failedAttempts: 0, minSuccessPercent: 0, description: 'Outbound messages queued for longer than forMinutes.' },
  node_down: { severity: 'critical', enabled: true, forMinutes: 0, failedAttempts: 0, minSuccessPercent: 0, description: 'Cluster nodes that stopped heartbeating (reported once the cluster provides the source).' },
};

/** A tenant's adjustments, as stored and as PUT /v1/tenants/{tenant}/alert-rules takes them. */
export type AlertRuleOverrides = Partial<Record<AlertRuleName, Partial<RuleSettings>>>;

export function isAlertRule(value: string): value is AlertRuleName {
  return (ALERT_RULES as readonly string[]).includes(value);
}

export function effectiveRules(overrides: AlertRuleOverrides | undefined): Record<AlertRuleName, RuleDefinition> {
  const out = {} as Record<AlertRuleName, RuleDefinition>;
  for (const rule of ALERT_RULES) out[rule] = { ...RULE_DEFINITIONS[rule], ...(overrides?.[rule] ?? {}) };
  return out;
}

/** What the store says right now (one read per evaluation, every tenant together). */
export interface AlertFacts {
  /** Sessions in a status a rule looks at, with when they entered it. */
  sessions: Array<{ id: string; tenantId: string; status: SessionStatus; since: number }>;
  /**
   * Per tenant and webhook: dead letters, the most failed attempts of a delivery still pending, and
   * of the deliveries last tried within WEBHOOK_SUCCESS_WINDOW_MS how many were delivered / not (yet).
   */
  webhooks: Array<{ tenantId: string; webhookId: string; dead: number; maxFailedAttempts: number; recentDelivered: number; recentFailed: number }>;
  /** Per tenant: the oldest message still queued. */
  queues: Array<{ tenantId: string; oldestEnqueuedAt: number; depth: number }>;
}

/** A rule that holds: one per (tenant, rule); tenantId null for installation-wide rules (node_down). */
export interface AlertCondition {
  tenantId: string | null;
  rule: AlertRuleName;
  severity: AlertSeverity;
  /** Ids of what is affected (sessions, webhooks, nodes), at most SUBJECTS_KEPT of them. */
  subjects: string[];
  count: number;
  summary: string;
}

export const SUBJECTS_KEPT = 50;

export function alertFingerprint(tenantId: string | null, rule: string): string {
  return `${tenantId ?? '*'}/${rule}`;
}

function listed(ids: string[]): string {
  const shown = ids.slice(0, 3).join(', ');
  return ids.length > 3 ? `${shown} and ${ids.length - 3} more` : shown;
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

type Subjects = Map<string, Map<AlertRuleName, string[]>>;

function add(into: Subjects, tenantId: string, rule: AlertRuleName, subject: string): void {
  const byRule = into.get(tenantId) ?? new Map<AlertRuleName, string[]>();
  into.set(tenantId, byRule);
  byRule.set(rule, [...(byRule.get(rule) ?? []), subject]);
}

const SUMMARY: Record<Exclude<AlertRuleName, 'node_down'>, (ids: string[], rule: RuleDefinition, count: number) => string> = {
  session_failed: (ids) => `${plural(ids.length, 'session', 'sessions')} FAILED: ${listed(ids)}`,
  session_logged_out: (ids) => `${plural(ids.length, 'session', 'sessions')} LOGGED_OUT (scan a new QR): ${listed(ids)}`,
  session_unhealthy: (ids, rule) => `${plural(ids.length, 'session', 'sessions')} not connected for ${rule.forMinutes}+ min: ${listed(ids)}`,
  qr_unscanned: (ids, rule) => `${plural(ids.length, 'session', 'sessions')} waiting for a QR scan for ${rule.forMinutes}+ min: ${listed(ids)}`,
  webhook_failing: (ids) => `${plural(ids.length, 'webhook', 'webhooks')} failing (dead letters, repeated failures or a low success rate): ${listed(ids)}`,
  queue_wait_high: (_ids, rule, count) => `${plural(count, 'outbound message', 'outbound messages')} queued, the oldest for ${rule.forMinutes}+ min`,
};

function successTooLow(webhook: AlertFacts['webhooks'][number], rule: RuleDefinition): boolean {
  const tried = webhook.recentDelivered + webhook.recentFailed;
  return rule.minSuccessPercent > 0 && tried >= WEBHOOK_SUCCESS_MIN_DELIVERIES && (webhook.recentDelivered * 100) / tried < rule.minSuccessPercent;
}

/** Every (tenant, rule) condition that holds now under each tenant's settings. */
export function evaluateAlerts(facts: AlertFacts, settingsOf: (tenantId: string) => Record<AlertRuleName, RuleDefinition>, now: number): AlertCondition[] {
  const subjects: Subjects = new Map();
  const longEnough = (since: number, rule: RuleDefinition) => now - since >= rule.forMinutes * 60_000;
  for (const session of facts.sessions) {
    const rules = settingsOf(session.tenantId);
    const rule: AlertRuleName | undefined =
      session.status === 'FAILED' ? 'session_failed'
        : session.status === 'LOGGED_OUT' ? 'session_logged_out'
          : session.status === 'RECONNECTING' || session.status === 'STARTING' ? 'session_unhealthy'
            : session.status === 'SCAN_QR' ? 'qr_unscanned'
              : undefined;
    if (rule && rules[rule].enabled && longEnough(session.since, rules[rule])) add(subjects, session.tenantId, rule, session.id);
  }
  for (const webhook of facts.webhooks) {
    const rule = settingsOf(webhook.tenantId).webhook_failing;
    if (rule.enabled && (webhook.dead > 0 || webhook.maxFailedAttempts >= Math.max(1, rule.failedAttempts) || successTooLow(webhook, rule))) add(subjects, webhook.tenantId, 'webhook_failing', webhook.webhookId);
  }
  const queueDepth = new Map<string, number>();
  for (const queue of facts.queues) {
    const rule = settingsOf(queue.tenantId).queue_wait_high;
    if (rule.enabled && longEnough(queue.oldestEnqueuedAt, rule)) {
      add(subjects, queue.tenantId, 'queue_wait_high', queue.tenantId);
      queueDepth.set(queue.tenantId, queue.depth);
    }
  }
  const out: AlertCondition[] = [];
  for (const [tenantId, byRule] of subjects) {
    const rules = settingsOf(tenantId);
    for (const [rule, ids] of byRule) {
      if (rule === 'node_down') continue;
      const sorted = [...new Set(ids)].sort();
      const count = rule === 'queue_wait_high' ? (queueDepth.get(tenantId) ?? 0) : sorted.length;
      out.push({ tenantId, rule, severity: rules[rule].severity, subjects: sorted.slice(0, SUBJECTS_KEPT), count, summary: SUMMARY[rule](sorted, rules[rule], count) });
    }
  }
  return out;
}
