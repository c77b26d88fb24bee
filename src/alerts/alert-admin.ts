/**
 * The alerting API's use cases: list and acknowledge alerts, silence them for a while, manage
 * notification channels, adjust a tenant's rules. Tenant walls as everywhere: a tenant key sees
 * and changes only its tenant's alerts, silences and channels; admin keys also the global ones.
 */
import type { Principal } from '../auth/principal.ts';
import { tenantOf } from '../auth/principal.ts';
import type { Clock } from '../clock.ts';
import { ALERT_CHANNEL_TYPES, type AlertChannel, type AlertChannelType, type AlertRecord, type AlertSilence, type AlertStatus } from '../domain/alert-records.ts';
import { ALERT_RULES, effectiveRules, isAlertRule, type AlertRuleName, type AlertRuleOverrides, type AlertSeverity, type RuleDefinition } from '../domain/alerts.ts';
import { AppError } from '../errors/app-error.ts';
import { assertAllowedUrl } from '../net/url-guard.ts';
import type { OutboundGuard } from '../net/outbound-guard.ts';
import { requireScope } from '../sessions/session-service.ts';
import type { Storage } from '../storage/ports.ts';
import type { ChannelSender } from './alert-notifier.ts';

export interface ChannelInput {
  tenant?: string;
  type: AlertChannelType;
  url?: string;
  to?: string[];
  minSeverity?: AlertSeverity;
}

export interface SilenceInput {
  tenant?: string;
  rule?: string;
  minutes: number;
  reason?: string;
}

export interface AlertAdminDeps {
  storage: Storage;
  clock: Clock;
  newId: () => string;
  send: ChannelSender;
  smtpConfigured: boolean;
  /** The SSRF guard of outgoing calls (the webhooks' policy). */
  guard: OutboundGuard;
}

const EMAIL = /^[^\s@,<>]+@[^\s@,<>]+$/;

export class AlertAdmin {
  constructor(private readonly deps: AlertAdminDeps) {}

  async list(principal: Principal, query: { status?: AlertStatus; limit: number }): Promise<AlertRecord[]> {
    requireScope(principal, 'read');
    const tenantId = tenantOf(principal);
    return this.deps.storage.alerts.list({ ...query, ...(tenantId !== undefined ? { tenantId } : {}) });
  }

  async get(principal: Principal, id: string): Promise<AlertRecord> {
    requireScope(principal, 'read');
    const alert = await this.deps.storage.alerts.get(id);
    if (!alert || !visible(principal, alert.tenantId)) throw new AppError('ALERT_NOT_FOUND', `Alert "${id}" not found.`);
    return alert;
  }

  async acknowledge(principal: Principal, id: string): Promise<AlertRecord> {
    requireScope(principal, 'manage');
    await this.get(principal, id);
    const alert = await this.deps.storage.alerts.acknowledge(id, principal.keyId, this.deps.clock.now());
    if (!alert) throw new AppError('ALERT_NOT_FOUND', `Alert "${id}" not found.`);
    return alert;
  }

  async silence(principal: Principal, input: SilenceInput): Promise<AlertSilence> {
    requireScope(principal, 'manage');
    const tenantId = await this.targetTenant(principal, input.tenant);
    if (input.rule !== undefined && !isAlertRule(input.rule)) {
      throw new AppError('VALIDATION_FAILED', `Unknown alert rule "${input.rule}": use one of ${ALERT_RULES.join(', ')}.`, { field: 'body.rule' });
    }
    const now = this.deps.clock.now();
    const silence: AlertSilence = {
      id: this.deps.newId(),
      tenantId,
      rule: (input.rule as AlertRuleName | undefined) ?? null,
      endsAt: now + input.minutes * 60_000,
      reason: input.reason ?? null,
      createdBy: principal.keyId,
      createdAt: now,
    };
    await this.deps.storage.alerts.createSilence(silence);
    return silence;
  }

  async silences(principal: Principal): Promise<AlertSilence[]> {
    requireScope(principal, 'read');
    const all = await this.deps.storage.alerts.listSilences(this.deps.clock.now());
    return all.filter((silence) => visible(principal, silence.tenantId));
  }

  async unsilence(principal: Principal, id: string): Promise<void> {
    requireScope(principal, 'manage');
    const silence = await this.deps.storage.alerts.getSilence(id);
    if (!silence || !visible(principal, silence.tenantId) || !(await this.deps.storage.alerts.deleteSilence(id))) {
      throw new AppError('ALERT_NOT_FOUND', `Silence "${id}" not found.`);
    }
  }

  async createChannel(principal: Principal, input: ChannelInput): Promise<AlertChannel> {
    requireScope(principal, 'manage');
    const tenantId = await this.targetTenant(principal, input.tenant, true);
    if (!(ALERT_CHANNEL_TYPES as readonly string[]).includes(input.type)) throw new AppError('ALERT_CHANNEL_INVALID', `Unknown channel type "${input.type}": use webhook, slack or email.`, { field: 'body.type' });
    let url: string | null = null;
    let to: string[] = [];
    if (input.type === 'email') {
      to = input.to ?? [];
      if (to.length === 0 || to.some((address) => !EMAIL.test(address))) throw new AppError('ALERT_CHANNEL_INVALID', 'An email channel needs "to": a list of email addresses.', { field: 'body.to' });
      if (!this.deps.smtpConfigured) throw new AppError('ALERT_CHANNEL_INVALID', 'Email channels need an SMTP server: an admin sets WAFLEET_SMTP_URL (smtp://user:password@host:587).', { field: 'body.type' });
    } else {
      const parsed = URL.canParse(input.url ?? '') ? new URL(input.url!) : undefined;
      if (!parsed || !['http:', 'https:'].includes(parsed.protocol)) throw new AppError('ALERT_CHANNEL_INVALID', `A ${input.type} channel needs "url": an absolute http:// or https:// URL.`, { field: 'body.url' });
      await assertAllowedUrl(this.deps.guard, parsed, 'Alert channel URL');
      url = parsed.toString();
    }
    const channel: AlertChannel = { id: this.deps.newId(), tenantId, type: input.type, url, to, minSeverity: input.minSeverity ?? 'info', enabled: true, lastSentAt: null, lastError: null, createdAt: this.deps.clock.now() };
    await this.deps.storage.alerts.createChannel(channel);
    return channel;
  }

  async channels(principal: Principal): Promise<AlertChannel[]> {
    requireScope(principal, 'read');
    return (await this.deps.storage.alerts.listChannels()).filter((channel) => visible(principal, channel.tenantId));
  }

  async deleteChannel(principal: Principal, id: string): Promise<void> {
    requireScope(principal, 'manage');
    await this.channel(principal, id);
    await this.deps.storage.alerts.deleteChannel(id);
  }

  /** Sends a sample alert to the channel now: the answer says whether it went through. */
  async testChannel(principal: Principal, id: string): Promise<{ delivered: boolean; error: string | null }> {
    requireScope(principal, 'manage');
    const channel = await this.channel(principal, id);
    const now = this.deps.clock.now();
    const sample: AlertRecord = {
      id: 'test', tenantId: channel.tenantId, rule: 'session_failed', severity: 'info', status: 'firing', summary: 'test notification from wafleet', count: 0, subjects: [],
      startedAt: now, updatedAt: now, resolvedAt: null, acknowledgedAt: null, acknowledgedBy: null, notifiedAt: now,
    };
    try {
      await this.deps.send(channel, { type: 'alert.test', alert: sample });
      await this.deps.storage.alerts.recordChannelResult(id, now, null);
      return { delivered: true, error: null };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      await this.deps.storage.alerts.recordChannelResult(id, now, reason.slice(0, 500));
      return { delivered: false, error: reason };
    }
  }

  async rules(principal: Principal, tenantId: string): Promise<{ tenantId: string; override: AlertRuleOverrides; effective: Record<AlertRuleName, RuleDefinition> }> {
    requireScope(principal, 'read');
    await this.targetTenant(principal, tenantId);
    const override = (await this.deps.storage.alerts.getRules(tenantId)) ?? {};
    return { tenantId, override, effective: effectiveRules(override) };
  }

  async setRules(principal: Principal, tenantId: string, rules: AlertRuleOverrides): Promise<ReturnType<AlertAdmin['rules']>> {
    requireScope(principal, 'manage');
    await this.targetTenant(principal, tenantId);
    await this.deps.storage.alerts.setRules(tenantId, rules, this.deps.clock.now());
    return this.rules(principal, tenantId);
  }

  private async channel(principal: Principal, id: string): Promise<AlertChannel> {
    const channel = await this.deps.storage.alerts.getChannel(id);
    if (!channel || !visible(principal, channel.tenantId)) throw new AppError('ALERT_CHANNEL_NOT_FOUND', `Alert channel "${id}" not found.`);
    return channel;
  }

  /** The tenant a write applies to: a tenant key's own; an admin names one, or none for a global one. */
  private async targetTenant(principal: Principal, requested: string | undefined, allowGlobal = true): Promise<string | null> {
    const own = tenantOf(principal);
    if (own !== undefined) {
      if (requested !== undefined && requested !== own) throw new AppError('TENANT_NOT_FOUND', `Tenant "${requested}" not found.`);
      return own;
    }
    if (requested === undefined) {
      if (allowGlobal) return null;
      throw new AppError('VALIDATION_FAILED', 'An admin key must name the tenant.', { field: 'body.tenant' });
    }
    if (!(await this.deps.storage.tenants.get(requested))) throw new AppError('TENANT_NOT_FOUND', `Tenant "${requested}" not found.`);
    return requested;
  }
}

function visible(principal: Principal, tenantId: string | null): boolean {
  const own = tenantOf(principal);
  return own === undefined || own === tenantId;
}
