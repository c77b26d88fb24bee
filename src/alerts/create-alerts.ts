/** Wires built-in alerting: the evaluator, the API's use cases, the channels and the metric. */
import { Gauge, type Registry } from 'prom-client';
import type { Clock } from '../clock.ts';
import type { Config } from '../config/config.ts';
import { ALERT_RULES } from '../domain/alerts.ts';
import type { EventRecord } from '../domain/records.ts';
import type { Logger } from '../logging/logger.ts';
import type { Storage } from '../storage/ports.ts';
import { AlertAdmin } from './alert-admin.ts';
import { AlertEvaluator, type AlertSource } from './alert-evaluator.ts';
import { createChannelSender, type ChannelSender } from './alert-notifier.ts';
import { createOutboundGuard, type ResolveHost } from '../net/outbound-guard.ts';
import { parseAllowlist } from '../net/address-policy.ts';

export interface Alerts {
  admin: AlertAdmin;
  evaluator: AlertEvaluator;
  /** The extension point for conditions from outside the store (the cluster's node_down). */
  addSource(source: AlertSource): void;
  start(): void;
  stop(): Promise<void>;
}

export function createAlerts(deps: {
  config: Readonly<Config>;
  storage: Storage;
  clock: Clock;
  newId: () => string;
  publish: (events: EventRecord[]) => void;
  logger: Logger;
  registry: Registry;
  send?: ChannelSender;
  resolveHost?: ResolveHost | undefined;
}): Alerts {
  const { config, storage, clock, newId } = deps;
  const logger = deps.logger.child({ component: 'alerts' });
  // Channels are called like webhooks: the same SSRF policy, checked where each connection is dialled.
  const guard = createOutboundGuard({
    allowPrivateUrls: config.webhooks.allowPrivateUrls,
    allowlist: parseAllowlist(config.privateUrlAllowlist),
    ...(deps.resolveHost ? { resolve: deps.resolveHost } : {}),
  });
  const send = deps.send ?? createChannelSender({ smtpUrl: config.alerts.smtpUrl, emailFrom: config.alerts.emailFrom, timeoutMs: config.webhooks.timeoutMs, guard });
  const evaluator = new AlertEvaluator({ storage, clock, newId, publish: deps.publish, send, logger, intervalMs: config.alerts.intervalMs, retentionMs: config.alerts.retentionMs, retryDelaysMs: config.alerts.retryDelaysMs });
  const admin = new AlertAdmin({ storage, clock, newId, send, smtpConfigured: Boolean(config.alerts.smtpUrl), guard });
  new Gauge({
    name: 'wafleet_alerts_firing',
    help: 'Built-in alerts firing, by rule (one per tenant and rule)',
    labelNames: ['rule'] as const,
    registers: [deps.registry],
    async collect() {
      for (const rule of ALERT_RULES) this.set({ rule }, 0);
      for (const row of await storage.alerts.countFiringByRule()) this.set({ rule: row.rule }, row.count);
    },
  });
  return {
    admin,
    evaluator,
    addSource: (source) => evaluator.addSource(source),
    start: () => evaluator.start(),
    stop: () => evaluator.stop(),
  };
}
