/**
 * "Test" on a webhook: one signed `webhook.test` event POSTed to its URL now, with its headers and
 * secret, and the receiver's answer returned. Nothing is stored — no event in the log, no row in the
 * delivery log — so a test never reaches other webhooks, WebSocket clients or replays.
 */
import type { Principal } from '../auth/principal.ts';
import type { Clock } from '../clock.ts';
import type { EventRecord } from '../domain/records.ts';
import type { EventSender } from './http-sender.ts';
import { isSuccess } from './retry-rules.ts';
import type { SecretBox } from './secret-box.ts';
import type { WebhookService } from './webhook-service.ts';

export interface WebhookTestResult {
  delivered: boolean;
  statusCode: number | null;
  latencyMs: number;
  /** Network error, timeout, refused address or non-2xx in a few words; null when delivered. */
  error: string | null;
  eventId: string;
}

export class WebhookTester {
  constructor(
    private readonly deps: { webhooks: WebhookService; secrets: SecretBox; send: EventSender; clock: Clock; newId: () => string },
  ) {}

  async test(principal: Principal, id: string): Promise<WebhookTestResult> {
    const webhook = await this.deps.webhooks.visible(principal, id);
    const event: EventRecord = {
      id: this.deps.newId(),
      type: 'webhook.test',
      tenantId: webhook.tenantId ?? '',
      sessionId: webhook.sessionId,
      timestamp: this.deps.clock.now(),
      payload: { webhookId: webhook.id, message: 'A test event from wafleet: this webhook is reachable and the signature can be checked.' },
    };
    const target = { url: webhook.url, headers: this.deps.secrets.openHeaders(webhook.id, webhook.headers), secret: this.deps.secrets.open(webhook.id, webhook.secret) };
    const result = await this.deps.send(target, event);
    const delivered = isSuccess(result);
    return { delivered, statusCode: result.statusCode, latencyMs: result.latencyMs, error: delivered ? null : result.error ?? `HTTP ${result.statusCode}`, eventId: event.id };
  }
}
