/** JSON schemas of users, logins and the audit log; they also generate the OpenAPI document. */
import { EMAIL_PATTERN, MAX_PASSWORD_LENGTH, USER_ROLES } from '../../domain/users.ts';
import { KEY_SCOPES } from '../../domain/records.ts';

export const email = { type: 'string', pattern: EMAIL_PATTERN, maxLength: 254 } as const;
// No minLength: the policy answers PASSWORD_TOO_WEAK with the rule that failed, not a schema message.
export const password = { type: 'string', minLength: 1, maxLength: MAX_PASSWORD_LENGTH } as const;
export const role = { type: 'string', enum: [...USER_ROLES] } as const;

export const user = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    tenantId: { type: ['string', 'null'] },
    email: { type: 'string' },
    name: { type: ['string', 'null'] },
    role,
    disabled: { type: 'boolean' },
    createdAt: { type: 'integer' },
    updatedAt: { type: 'integer' },
    lastLoginAt: { type: ['integer', 'null'] },
  },
  required: ['id', 'tenantId', 'email', 'role', 'disabled'],
} as const;

export const loginAnswer = {
  type: 'object',
  properties: {
    user,
    accessToken: { type: 'string', description: 'Absent when cookies were asked for' },
    refreshToken: { type: 'string', description: 'Absent when cookies were asked for' },
    expiresIn: { type: 'integer', description: 'Seconds the access token lives' },
    refreshExpiresAt: { type: 'integer' },
    csrfToken: { type: 'string', description: 'With cookies: send it as X-CSRF-Token on every change' },
  },
  required: ['user', 'expiresIn'],
} as const;

export const me = {
  type: 'object',
  properties: {
    kind: { type: 'string', enum: ['user', 'key'] },
    user: { ...user, type: ['object', 'null'] },
    keyId: { type: ['string', 'null'] },
    admin: { type: 'boolean' },
    tenantId: { type: ['string', 'null'] },
    role: { type: ['string', 'null'] },
    scopes: { type: 'array', items: { type: 'string', enum: [...KEY_SCOPES] } },
    canManageTenant: { type: 'boolean', description: 'May manage the tenant’s users and keys (admin or owner)' },
    csrfToken: { type: ['string', 'null'] },
  },
  required: ['kind', 'admin', 'tenantId', 'scopes', 'canManageTenant'],
} as const;

export const auditRow = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    at: { type: 'integer' },
    actorType: { type: 'string', enum: ['key', 'user', 'anonymous'] },
    actorId: { type: ['string', 'null'] },
    tenantId: { type: ['string', 'null'] },
    action: { type: 'string' },
    resource: { type: ['string', 'null'] },
    result: { type: 'string' },
    statusCode: { type: 'integer' },
    requestId: { type: ['string', 'null'] },
    sourceIp: { type: ['string', 'null'] },
  },
  required: ['id', 'at', 'actorType', 'actorId', 'tenantId', 'action', 'resource', 'result', 'statusCode'],
} as const;
