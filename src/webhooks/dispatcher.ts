/**
 * The webhook dispatcher: one loop that fans committed events out to delivery rows and sends due
 * deliveries, with a global and a per-endpoint concurrency bound. State lives in the store, so a
 * restart (even after SIGKILL) resumes: rows left "delivering" go back to pending and are re-sent,
 * which is why delivery is at-least-once with a stable event id.
 */
import type { Clock } from '../clock.ts';
import type { Logger } from '../logging/logger.ts';
import type { EventRecord } from '../domain/records.ts';
import type { DeliveryRecord } from '../domain/webhooks.ts';
import type { WebhookConfig } from '../config/config.ts';
import type { Storage } from '../storage/ports.ts';
import { FanOut } from './fan-out.ts';
import type { EventSender } from './http-sender.ts';
import { outcomeOf, type AttemptResult } from './retry-rules.ts';
import type { SecretBox } from './secret-box.ts';
import type { WebhookMetrics } from './webhook-metrics.ts';

export interface DispatcherDeps {
  storage: Storage;
  clock: Clock;
  logger: Logger;
  newId: () => string;
  config: WebhookConfig;
  send: EventSender;
  secrets: SecretBox;
  metrics: WebhookMetrics;
  /** Outbox cursor name; one per node. */
  nodeId?: string;
}

export class WebhookDispatcher {
  readonly fanOut: FanOut;
  private readonly inFlight = new Map<string, number>();
  private readonly active = new Set<Promise<void>>();
  private total = 0;
  private running = false;
  private loop: Promise<void> | undefined;
  private woken = false;
  private wakeup: (() => void) | undefined;
  private lastSweep = 0;

  constructor(private readonly deps: DispatcherDeps) {
    this.fanOut = new FanOut({ storage: deps.storage, clock: deps.clock, newId: deps.newId, settleMs: deps.config.settleMs, cursorName: `webhooks:${deps.nodeId ?? 'single'}` });
  }

  async start(): Promise<void> {
    if (this.running) return;
    const released = await this.deps.storage.deliveries.releaseInFlight(this.deps.clock.now());
    if (released > 0) this.deps.logger.info({ released }, 'webhook deliveries interrupted by the last stop will be sent again');
    await this.fanOut.initCursor();
    this.running = true;
    this.loop = this.run();
  }

  /** Called after each committed batch of events: fan out now rather than at the next sweep. */
  notify(events: readonly EventRecord[]): void {
    if (events.length === 0) return;
    this.fanOut.notify(events);
    this.wake();
  }

  /** Webhooks or deliveries changed through the API. */
  changed(): void {
    this.fanOut.invalidate();
    this.wake();
  }

  /** Stops the loop and waits (bounded) for attempts in flight; unfinished ones resume on next start. */
  async stop(graceMs = 2000): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake();
    await this.loop;
    await Promise.race([Promise.allSettled([...this.active]), new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
  }

  private wake(): void {
    this.woken = true;
    this.wakeup?.();
  }

  private async idle(ms: number): Promise<void> {
    if (!this.woken) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        this.wakeup = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.wakeup = undefined;
    this.woken = false;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.fanOut.fastPath();
        if (Date.now() - this.lastSweep >= this.deps.config.pollMs) {
          this.lastSweep = Date.now();
          await this.fanOut.sweep();
        }
        await this.dispatchDue();
      } catch (error) {
        this.deps.logger.warn({ err: error }, 'webhook dispatcher iteration failed; retrying');
      }
      if (this.running) await this.idle(this.deps.config.pollMs);
    }
  }

  private async dispatchDue(): Promise<void> {
    const { concurrency, endpointConcurrency } = this.deps.config;
    const free = concurrency - this.total;
    if (free <= 0) return;
    const claimed = await this.deps.storage.deliveries.claimDue(this.deps.clock.now(), free, (id) => endpointConcurrency - (this.inFlight.get(id) ?? 0));
    if (claimed.length === 0) return;
    const events = new Map((await this.deps.storage.deliveries.eventsByIds([...new Set(claimed.map((d) => d.eventId))])).map((e) => [e.id, e]));
    const webhooks = new Map((await this.fanOut.enabledWebhooks()).map((w) => [w.id, w]));
    for (const delivery of claimed) {
      this.total += 1;
      this.inFlight.set(delivery.webhookId, (this.inFlight.get(delivery.webhookId) ?? 0) + 1);
      const attempt = this.attempt(delivery, events.get(delivery.eventId), webhooks.get(delivery.webhookId))
        .catch((error: unknown) => this.deps.logger.warn({ err: error, deliveryId: delivery.id }, 'webhook attempt bookkeeping failed'))
        .finally(() => {
          this.total -= 1;
          const left = (this.inFlight.get(delivery.webhookId) ?? 1) - 1;
          if (left > 0) this.inFlight.set(delivery.webhookId, left);
          else this.inFlight.delete(delivery.webhookId);
          this.active.delete(attempt);
          this.wake();
        });
      this.active.add(attempt);
    }
  }

  private async attempt(delivery: DeliveryRecord, event: EventRecord | undefined, cached: { url: string; headers: Record<string, string>; secret: string; id: string } | undefined): Promise<void> {
    const webhook = cached ?? (await this.deps.storage.webhooks.get(delivery.webhookId));
    if (!webhook) return; // deleted meanwhile: its deliveries went with it
    let result: AttemptResult;
    if (!event) {
      result = { statusCode: null, error: 'the event is no longer retained', latencyMs: 0, retryAfterMs: null, permanent: true };
    } else {
      const secret = this.deps.secrets.open(webhook.id, webhook.secret);
      result = await this.deps.send({ url: webhook.url, headers: webhook.headers, secret }, event);
    }
    const now = this.deps.clock.now();
    const outcome = outcomeOf(delivery, result, now, { baseMs: this.deps.config.retryBaseMs, maxMs: this.deps.config.retryMaxMs, windowMs: this.deps.config.retryWindowMs });
    await this.deps.storage.deliveries.finish(delivery.id, outcome, now);
    this.deps.metrics.attempt(outcome.status === 'pending' ? 'retry' : outcome.status === 'delivered' ? 'delivered' : 'dead', result.latencyMs / 1000);
    if (outcome.status === 'delivered' && event) this.deps.metrics.delivered((Date.now() - event.timestamp) / 1000);
    if (outcome.status === 'dead') this.deps.logger.warn({ webhookId: delivery.webhookId, eventId: delivery.eventId, attempts: outcome.attempts, error: outcome.lastError }, 'webhook delivery moved to dead letters');
  }
}
