/**
 * The webhook dispatcher: one loop that fans committed events out to delivery rows and sends due
 * deliveries, with a global and a per-endpoint concurrency bound. State lives in the store, so a
 * restart (even after SIGKILL) resumes: rows left "delivering" go back to pending and are re-sent,
 * which is why delivery is at-least-once with a stable event id.
 */
import type { Clock } from '../clock.ts';
import type { Logger } from '../logging/logger.ts';
import type { EventRecord } from '../domain/records.ts';
import type { DeliveryRecord, WebhookRecord } from '../domain/webhooks.ts';
import type { WebhookConfig } from '../config/config.ts';
import { deliveryGroupKey, type DeliveryOutcome, type Storage } from '../storage/ports.ts';
import { FanOut } from './fan-out.ts';
import type { EventSender } from './http-sender.ts';
import { outcomeOf, type AttemptResult } from './retry-rules.ts';
import type { SecretBox } from './secret-box.ts';
import type { WebhookMetrics } from './webhook-metrics.ts';

/** How long a round waits for more attempts to finish before writing (bounded extra latency). */
const COALESCE_MS = 3;
/** One sweep cursor for the whole cluster: every node may advance it; it only moves forward. */
const SWEEP_CURSOR = 'webhooks:single';

export interface DispatcherDeps {
  storage: Storage;
  clock: Clock;
  logger: Logger;
  newId: () => string;
  config: WebhookConfig;
  send: EventSender;
  secrets: SecretBox;
  metrics: WebhookMetrics;
  /** This node: it names the deliveries it claims, so a restart or a dead node's successor releases exactly those. */
  nodeId?: string;
  /** Told of each delivery that finished for good: delivered, or dead (message analytics). */
  finished?: (event: EventRecord, delivered: boolean) => void;
}

export class WebhookDispatcher {
  readonly fanOut: FanOut;
  private readonly inFlight = new Map<string, number>();
  /** Ordering groups (webhook, session) with an attempt in flight. */
  private readonly busy = new Set<string>();
  private readonly active = new Set<Promise<void>>();
  private total = 0;
  private running = false;
  private loop: Promise<void> | undefined;
  private woken = false;
  private wakeup: (() => void) | undefined;
  private lastSweep = 0;
  /** Finished attempts not yet written: they are written with the next claim, in one transaction. */
  private finished: Array<{ id: string; outcome: DeliveryOutcome; at: number }> = [];

  constructor(private readonly deps: DispatcherDeps) {
    this.fanOut = new FanOut({ storage: deps.storage, clock: deps.clock, newId: deps.newId, settleMs: deps.config.settleMs, cursorName: SWEEP_CURSOR });
  }

  async start(): Promise<void> {
    if (this.running) return;
    const released = await this.deps.storage.deliveries.releaseInFlight(this.deps.clock.now(), [this.deps.nodeId ?? 'single']);
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
    await this.flush();
  }

  /** Writes finished attempts (at stop); unwritten ones are simply sent again after a restart. */
  private async flush(): Promise<void> {
    const finished = this.finished.splice(0);
    if (finished.length === 0) return;
    try {
      await this.deps.storage.transaction(async (repos) => {
        for (const f of finished) await repos.deliveries.finish(f.id, f.outcome, f.at);
      });
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'could not record finished webhook attempts; they will be sent again');
    }
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
        if (Date.now() - this.lastSweep >= this.deps.config.pollMs) {
          this.lastSweep = Date.now();
          await this.fanOut.sweep();
        }
        await this.step();
      } catch (error) {
        this.deps.logger.warn({ err: error }, 'webhook dispatcher iteration failed; retrying');
      }
      if (this.running) await this.idle(this.deps.config.pollMs);
      // Attempts still in flight will finish within moments: let a few land so they share one commit.
      if (this.running && this.total > 0) await new Promise((resolve) => setTimeout(resolve, COALESCE_MS));
    }
  }

  /**
   * One transaction per round: fan out the events handed over in process, record the attempts that
   * finished meanwhile, and claim what is due now (a session's next event becomes claimable in the
   * same round its predecessor is recorded). Few commits, whatever the rate.
   */
  private async step(): Promise<void> {
    const { concurrency, endpointConcurrency } = this.deps.config;
    const events = this.fanOut.take();
    const finished = this.finished.splice(0);
    const webhooks = await this.fanOut.enabledWebhooks();
    // No more than the endpoints can take now: a claim that cannot place anything would still scan the backlog.
    const full = new Set(webhooks.filter((w) => (this.inFlight.get(w.id) ?? 0) >= endpointConcurrency).map((w) => w.id));
    const room = webhooks.reduce((sum, w) => sum + Math.max(0, endpointConcurrency - (this.inFlight.get(w.id) ?? 0)), 0);
    const free = Math.min(concurrency - this.total, room);
    const deliveries = events.length > 0 ? this.fanOut.deliveriesFor(events, webhooks) : [];
    // Events no webhook wants (or no webhooks at all) cost nothing: no transaction for them.
    if (deliveries.length === 0 && finished.length === 0 && free <= 0) return;
    let claimed: DeliveryRecord[];
    // What goes out is events committed before this round; the round's own bookkeeping (claims,
    // finished attempts) need not be on the disk first: lost to a power cut, it is redone after.
    const eventsWritten = this.deps.storage.commitMark();
    try {
      const now = this.deps.clock.now();
      claimed = await this.deps.storage.transaction(async (repos) => {
        await repos.deliveries.enqueue(deliveries);
        for (const f of finished) await repos.deliveries.finish(f.id, f.outcome, f.at);
        return repos.deliveries.claimDue(now, free, (id) => endpointConcurrency - (this.inFlight.get(id) ?? 0), { groups: this.busy, webhooks: full }, this.deps.nodeId ?? 'single');
      });
    } catch (error) {
      this.fanOut.restore(events);
      this.finished = finished.concat(this.finished);
      throw error;
    }
    if (claimed.length === 0) return;
    // No event goes out before it would survive a power loss (Storage.durable); on failure nothing was sent and the next round claims them again.
    await this.deps.storage.durable(eventsWritten);
    const eventsById = new Map((await this.deps.storage.deliveries.eventsByIds([...new Set(claimed.map((d) => d.eventId))])).map((e) => [e.id, e]));
    const webhookById = new Map(webhooks.map((w) => [w.id, w]));
    for (const delivery of claimed) {
      this.total += 1;
      const group = deliveryGroupKey(delivery.webhookId, delivery.orderKey);
      this.busy.add(group);
      this.inFlight.set(delivery.webhookId, (this.inFlight.get(delivery.webhookId) ?? 0) + 1);
      const attempt = this.attempt(delivery, eventsById.get(delivery.eventId), webhookById.get(delivery.webhookId))
        .catch((error: unknown) => this.deps.logger.warn({ err: error, deliveryId: delivery.id }, 'webhook attempt bookkeeping failed'))
        .finally(() => {
          this.total -= 1;
          this.busy.delete(group);
          const left = (this.inFlight.get(delivery.webhookId) ?? 1) - 1;
          if (left > 0) this.inFlight.set(delivery.webhookId, left);
          else this.inFlight.delete(delivery.webhookId);
          this.active.delete(attempt);
          this.wake();
        });
      this.active.add(attempt);
    }
  }

  private async attempt(delivery: DeliveryRecord, event: EventRecord | undefined, cached: Pick<WebhookRecord, 'id' | 'url' | 'headers' | 'secret'> | undefined): Promise<void> {
    const webhook = cached ?? (await this.deps.storage.webhooks.get(delivery.webhookId));
    if (!webhook) return; // deleted meanwhile: its deliveries went with it
    let result: AttemptResult;
    if (!event) {
      result = { statusCode: null, error: 'the event is no longer retained', latencyMs: 0, retryAfterMs: null, permanent: true };
    } else {
      const secret = this.deps.secrets.open(webhook.id, webhook.secret);
      result = await this.deps.send({ url: webhook.url, headers: this.deps.secrets.openHeaders(webhook.id, webhook.headers), secret }, event);
    }
    const now = this.deps.clock.now();
    const outcome = outcomeOf(delivery, result, now, { baseMs: this.deps.config.retryBaseMs, maxMs: this.deps.config.retryMaxMs, windowMs: this.deps.config.retryWindowMs });
    this.finished.push({ id: delivery.id, outcome, at: now });
    this.deps.metrics.attempt(outcome.status === 'pending' ? 'retry' : outcome.status === 'delivered' ? 'delivered' : 'dead', result.latencyMs / 1000);
    if (outcome.status === 'delivered' && event) this.deps.metrics.delivered((Date.now() - event.timestamp) / 1000);
    if (outcome.status !== 'pending' && event) this.deps.finished?.(event, outcome.status === 'delivered');
    if (outcome.status === 'dead') this.deps.logger.warn({ webhookId: delivery.webhookId, eventId: delivery.eventId, attempts: outcome.attempts, error: outcome.lastError }, 'webhook delivery moved to dead letters');
  }
}
