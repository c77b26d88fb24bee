/**
 * Wires event delivery: webhook dispatcher, WebSocket hub, the services behind /v1/webhooks and
 * /v1/events, metrics and retention. The composition root calls this once.
 */
import type { Registry } from 'prom-client';
import type { Clock } from '../clock.ts';
import type { Config } from '../config/config.ts';
import type { EventRecord } from '../domain/records.ts';
import type { Logger } from '../logging/logger.ts';
import { parseAllowlist } from '../net/address-policy.ts';
import { createOutboundGuard, type ResolveHost } from '../net/outbound-guard.ts';
import type { AuthStateCipher } from '../security/cipher.ts';
import type { Storage } from '../storage/ports.ts';
import { EventService } from '../events/event-service.ts';
import { Retention } from '../events/retention.ts';
import { EventHub } from '../realtime/event-hub.ts';
import { DeliveryService } from './delivery-service.ts';
import { WebhookDispatcher } from './dispatcher.ts';
import { createHttpSender } from './http-sender.ts';
import { WebhookTester } from './webhook-tester.ts';
import { createSecretBox } from './secret-box.ts';
import { registerWebhookMetrics, type WebhookMetrics } from './webhook-metrics.ts';
import { WebhookService } from './webhook-service.ts';

export interface EventDelivery {
  webhooks: WebhookService;
  tester: WebhookTester;
  deliveries: DeliveryService;
  events: EventService;
  hub: EventHub;
  dispatcher: WebhookDispatcher;
  wsPingMs: number;
  /** Wraps the composition root's event hook: committed events also go to webhooks and sockets. */
  publisher(next?: (events: EventRecord[]) => void): (events: EventRecord[]) => void;
  registerMetrics(registry: Registry): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface EventDeliveryDeps {
  config: Readonly<Config>;
  storage: Storage;
  clock: Clock;
  newId: () => string;
  logger: Logger;
  cipher: AuthStateCipher;
  /** Host name resolution for webhook URLs (tests inject answers); getaddrinfo by default. */
  resolveHost?: ResolveHost | undefined;
  /** This node: names the webhook deliveries it claims. */
  nodeId: string;
  /** Told of each webhook delivery that finished for good (message analytics). */
  deliveryFinished?: (event: EventRecord, delivered: boolean) => void;
}

export function createEventDelivery(deps: EventDeliveryDeps): EventDelivery {
  const { config, storage, clock, newId } = deps;
  const guard = createOutboundGuard({
    allowPrivateUrls: config.webhooks.allowPrivateUrls,
    allowlist: parseAllowlist(config.privateUrlAllowlist),
    ...(deps.resolveHost ? { resolve: deps.resolveHost } : {}),
  });
  const logger = deps.logger.child({ component: 'webhooks' });
  const secrets = createSecretBox(deps.cipher);
  let metrics: WebhookMetrics = { attempt: () => undefined, delivered: () => undefined };
  const send = createHttpSender({ timeoutMs: config.webhooks.timeoutMs, guard });
  const dispatcher = new WebhookDispatcher({
    storage,
    clock,
    logger,
    newId,
    config: config.webhooks,
    send,
    secrets,
    metrics: { attempt: (r, s) => metrics.attempt(r, s), delivered: (s) => metrics.delivered(s) },
    nodeId: deps.nodeId,
    ...(deps.deliveryFinished ? { finished: deps.deliveryFinished } : {}),
  });
  const changed = () => dispatcher.changed();
  const webhooks = new WebhookService({ storage, clock, newId, secrets, guard, changed });
  const deliveries = new DeliveryService({ storage, clock, newId, webhooks, changed });
  const events = new EventService(storage);
  const hub = new EventHub();
  const retention = new Retention(storage, clock, logger, config.retention);
  return {
    webhooks,
    tester: new WebhookTester({ webhooks, secrets, send, clock, newId }),
    deliveries,
    events,
    hub,
    dispatcher,
    wsPingMs: config.wsPingMs,
    publisher: (next) => (batch) => {
      next?.(batch);
      dispatcher.notify(batch);
      // Pushed once they would survive a power loss; batches stay in order (durable() settles in call order).
      storage.durable().then(
        () => hub.publish(batch),
        (error: unknown) => logger.error({ err: error }, 'events not flushed to disk; WebSocket clients get them by replay'),
      );
    },
    registerMetrics(registry) {
      metrics = registerWebhookMetrics(registry, () => storage.deliveries.countByStatus());
    },
    async start() {
      await dispatcher.start();
      retention.start();
    },
    async stop() {
      await retention.stop();
      await dispatcher.stop();
    },
  };
}
