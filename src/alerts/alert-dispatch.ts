/**
 * Sends an alert's transition to every channel that wants it. A channel that fails is tried again
 * later (config.alerts.retryDelaysMs: 5 s, 30 s, 2 min), in the background: evaluation never waits for a slow or broken channel.
 * Retries live in this process only — the durable path for alerts is the event pipeline
 * (`alert.firing` / `alert.resolved` through webhooks, with their own retries).
 */
import { channelWants, type AlertChannel, type AlertRecord } from '../domain/alert-records.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logging/logger.ts';
import type { Storage } from '../storage/ports.ts';
import type { AlertTransition, ChannelSender } from './alert-notifier.ts';

export interface AlertDispatchDeps {
  storage: Storage;
  clock: Clock;
  send: ChannelSender;
  logger: Logger;
  retryDelaysMs: readonly number[];
}

export class AlertDispatcher {
  private readonly pending = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly deps: AlertDispatchDeps) {}

  /** Resolves once every channel had its first try; failed ones go on in the background. */
  async notify(alert: AlertRecord, type: AlertTransition): Promise<void> {
    const channels = (await this.deps.storage.alerts.listChannels()).filter((channel) => channelWants(channel, alert));
    await Promise.all(channels.map((channel) => this.attempt(channel, alert, type, 0)));
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
  }

  private async attempt(channel: AlertChannel, alert: AlertRecord, type: AlertTransition, retry: number): Promise<void> {
    const at = this.deps.clock.now();
    // A late retry must not say "firing" about an alert that has resolved meanwhile.
    if (retry > 0 && type === 'alert.firing' && (await this.deps.storage.alerts.get(alert.id))?.status !== 'firing') return;
    try {
      await this.deps.send(channel, { type, alert });
      await this.deps.storage.alerts.recordChannelResult(channel.id, at, null);
      return;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const delays = this.deps.retryDelaysMs;
      const next = delays[retry];
      this.deps.logger.warn(
        { channelId: channel.id, type: channel.type, alertId: alert.id, error: reason, retryInMs: next ?? null },
        next === undefined ? 'alert notification failed; no retries left' : 'alert notification failed; will retry',
      );
      await this.deps.storage.alerts.recordChannelResult(channel.id, at, reason.slice(0, 500)).catch(() => undefined);
      if (next === undefined || this.stopped) return;
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        void this.attempt(channel, alert, type, retry + 1);
      }, next);
      timer.unref();
      this.pending.add(timer);
    }
  }
}
