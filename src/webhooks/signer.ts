/**
 * Webhook signatures: `X-Wafleet-Signature` = hex HMAC-SHA256(secret, `${timestamp}.${rawBody}`),
 * with `X-Wafleet-Timestamp` in unix seconds. docs/webhooks.md shows the same recipe for receivers.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-wafleet-signature';
export const TIMESTAMP_HEADER = 'x-wafleet-timestamp';
export const EVENT_ID_HEADER = 'x-wafleet-event-id';

export function sign(secret: string, timestamp: number, rawBody: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
}

/** The receiver's check: right signature and a timestamp within `toleranceSec` of now. */
export function verify(secret: string, timestamp: string, rawBody: string, signature: string, nowSec: number, toleranceSec = 300): boolean {
  const ts = Number(timestamp);
  if (!Number.isInteger(ts) || Math.abs(nowSec - ts) > toleranceSec) return false;
  const expected = Buffer.from(sign(secret, ts, rawBody), 'hex');
  const given = Buffer.from(signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function generateSecret(): string {
  return `whsec_${randomBytes(24).toString('base64url')}`;
}
