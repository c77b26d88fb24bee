/** JSON schemas of the webhook, delivery and event routes. */
import { DELIVERY_STATUSES, EVENT_FILTER_PATTERN } from '../../domain/webhooks.ts';

export const eventId = { type: 'string', pattern: '^[0-9A-HJKMNP-TV-Z]{26}$' } as const;
export const eventFilter = { type: 'array', items: { type: 'string', pattern: EVENT_FILTER_PATTERN, maxLength: 100 }, minItems: 1, maxItems: 50, uniqueItems: true } as const;
export const customHeaders = {
  type: 'object',
  maxProperties: 20,
  propertyNames: { pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$" },
  additionalProperties: { type: 'string', maxLength: 2000, pattern: '^[^\\r\\n\\u0000]*$' },
} as const;
export const webhookSecret = { type: 'string', minLength: 16, maxLength: 200 } as const;
export const webhookUrl = { type: 'string', minLength: 1, maxLength: 2000 } as const;

const nullableString = { type: ['string', 'null'] } as const;
const nullableInteger = { type: ['integer', 'null'] } as const;

export const webhook = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    level: { type: 'string', enum: ['global', 'tenant', 'session'] },
    tenantId: nullableString,
    sessionId: nullableString,
    url: { type: 'string' },
    events: { type: 'array', items: { type: 'string' } },
    headers: { type: 'object', additionalProperties: { type: 'string' }, description: 'Custom header names; every value is "[redacted]" (stored encrypted). Sent back in a PATCH, "[redacted]" keeps the stored value.' },
    enabled: { type: 'boolean' },
    description: nullableString,
    createdAt: { type: 'integer' },
    updatedAt: { type: 'integer' },
    secret: { type: 'string', description: 'Only in the answer to create, or to an update that set a new secret.' },
  },
} as const;

export const deliveryStatus = { type: 'string', enum: [...DELIVERY_STATUSES] } as const;

export const delivery = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    webhookId: { type: 'string' },
    eventId: { type: 'string' },
    eventType: { type: 'string' },
    sessionId: nullableString,
    status: deliveryStatus,
    attempts: { type: 'integer' },
    nextAttemptAt: { type: 'integer' },
    lastAttemptAt: nullableInteger,
    lastStatusCode: nullableInteger,
    lastError: nullableString,
    lastLatencyMs: nullableInteger,
    deliveredAt: nullableInteger,
    createdAt: { type: 'integer' },
    updatedAt: { type: 'integer' },
  },
} as const;

export const event = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    type: { type: 'string' },
    tenantId: { type: 'string' },
    sessionId: nullableString,
    timestamp: { type: 'integer' },
    payload: { type: 'object', additionalProperties: true },
  },
} as const;

export const pageQuery = {
  after: { type: 'string', minLength: 1, maxLength: 40 },
  limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
} as const;
