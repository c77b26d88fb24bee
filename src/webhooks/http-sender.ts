/**
 * One signed POST of one event to one webhook: never throws, reports what happened.
 *
 * Sent with node:http(s) over kept-alive connections rather than fetch: fetch's WHATWG layer cost
 * about 1 ms of CPU per request here (bench:events profile: 13% of the main thread while one session
 * received 220 messages/s), more than recording the event. Redirects are not followed (a 3xx is a
 * failed attempt), the answer's status decides, and its body is drained and dropped so the
 * connection can carry the next event.
 *
 * The SSRF guard is in the agents (net/outbound-guard.ts): every new connection checks the address
 * it dials, so a DNS answer that changed since the webhook was accepted cannot reach an internal host.
 */
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { EventRecord } from '../domain/records.ts';
import { eventEnvelope } from '../domain/webhooks.ts';
import { AddressNotAllowedError, type OutboundGuard } from '../net/outbound-guard.ts';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign } from './signer.ts';
import { parseRetryAfter, type AttemptResult } from './retry-rules.ts';

export interface SendTarget {
  url: string;
  headers: Record<string, string>;
  secret: string;
}

export interface SenderOptions {
  timeoutMs: number;
  guard: OutboundGuard;
}

export type EventSender = (target: SendTarget, event: EventRecord) => Promise<AttemptResult>;

/** A connection left idle this long is closed (the agent destroys free sockets on timeout). */
const IDLE_CONNECTION_MS = 30_000;

interface Answer {
  status: number;
  retryAfter: string | undefined;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return 'request failed';
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timeout';
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
}

function firstHeader(response: IncomingMessage, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function createHttpSender(options: SenderOptions): EventSender {
  const agents = options.guard.agents({ keepAlive: true, timeout: IDLE_CONNECTION_MS });

  const post = (url: URL, headers: OutgoingHttpHeaders, body: string): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const secure = url.protocol === 'https:';
      // Detached by Node once the response has ended, so a late timer never touches a reused connection.
      const signal = AbortSignal.timeout(options.timeoutMs);
      const request = (secure ? httpsRequest : httpRequest)(url, { method: 'POST', headers, agent: secure ? agents.https : agents.http, signal }, (response) => {
        // The status is the receiver's verdict. The body is drained in the background so the
        // connection can carry the next event; a body that never ends is cut off by the timeout,
        // which then closes that connection instead of returning it to the pool.
        response.on('error', () => undefined);
        response.resume();
        resolve({ status: response.statusCode ?? 0, retryAfter: firstHeader(response, 'retry-after') });
      });
      request.on('error', reject);
      request.end(body);
    });

  return async (target, event) => {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const url = new URL(target.url);
      const body = JSON.stringify(eventEnvelope(event));
      const timestamp = Math.floor(Date.now() / 1000);
      const answer = await post(url, {
        'user-agent': 'wafleet-webhooks/1',
        ...target.headers,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        [EVENT_ID_HEADER]: event.id,
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: sign(target.secret, timestamp, body),
      }, body);
      const ok = answer.status >= 200 && answer.status < 300;
      return {
        statusCode: answer.status,
        error: ok ? null : `HTTP ${answer.status}`,
        latencyMs: elapsed(),
        retryAfterMs: parseRetryAfter(answer.retryAfter ?? null, Date.now()),
      };
    } catch (error) {
      // A refused address is not retried: it is the webhook's URL that has to change.
      if (error instanceof AddressNotAllowedError) return { statusCode: null, error: `webhook URL: ${error.message}`.slice(0, 300), latencyMs: elapsed(), retryAfterMs: null, permanent: true };
      return { statusCode: null, error: describe(error).slice(0, 300), latencyMs: elapsed(), retryAfterMs: null };
    }
  };
}
