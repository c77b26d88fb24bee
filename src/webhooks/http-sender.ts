/** One signed POST of one event to one webhook: never throws, reports what happened. */
import type { EventRecord } from '../domain/records.ts';
import { eventEnvelope } from '../domain/webhooks.ts';
import { assertPublicUrl } from '../net/url-guard.ts';
import { isAppError } from '../errors/app-error.ts';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign } from './signer.ts';
import { parseRetryAfter, type AttemptResult } from './retry-rules.ts';

export interface SendTarget {
  url: string;
  headers: Record<string, string>;
  secret: string;
}

export interface SenderOptions {
  timeoutMs: number;
  allowPrivateUrls: boolean;
}

export type EventSender = (target: SendTarget, event: EventRecord) => Promise<AttemptResult>;

function describe(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timeout';
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return (cause?.code ?? cause?.message ?? error.message).slice(0, 200);
  }
  return 'request failed';
}

export function createHttpSender(options: SenderOptions): EventSender {
  return async (target, event) => {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      // Checked per attempt, not only at creation: DNS may have changed since.
      await assertPublicUrl(new URL(target.url), options.allowPrivateUrls, 'webhook URL');
      const body = JSON.stringify(eventEnvelope(event));
      const timestamp = Math.floor(Date.now() / 1000);
      const response = await fetch(target.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs),
        headers: {
          'user-agent': 'wafleet-webhooks/1',
          ...target.headers,
          'content-type': 'application/json',
          [EVENT_ID_HEADER]: event.id,
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: sign(target.secret, timestamp, body),
        },
        body,
      });
      // Drain (bounded by the timeout) so the connection can be reused; the content is not kept.
      await response.arrayBuffer().catch(() => undefined);
      const ok = response.status >= 200 && response.status < 300;
      return {
        statusCode: response.status,
        error: ok ? null : `HTTP ${response.status}`,
        latencyMs: elapsed(),
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), Date.now()),
      };
    } catch (error) {
      if (isAppError(error)) return { statusCode: null, error: error.message.slice(0, 300), latencyMs: elapsed(), retryAfterMs: null, permanent: error.code === 'URL_NOT_ALLOWED' };
      const message = error instanceof Error && 'code' in error && typeof (error as { code: unknown }).code === 'string'
        ? `${(error as { code: string }).code}: ${error.message}`
        : describe(error);
      return { statusCode: null, error: message.slice(0, 300), latencyMs: elapsed(), retryAfterMs: null };
    }
  };
}
