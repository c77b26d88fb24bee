/** The audit log: who changed what, when, from where, and how it ended. Append-only. */

export type ActorType = 'key' | 'user' | 'anonymous';

export interface AuditRecord {
  /** ULID: its order is time order, and the cursor of GET /v1/audit. */
  id: string;
  at: number;
  actorType: ActorType;
  /** The key id or user id, never a secret; for a failed login of an unknown account, null. */
  actorId: string | null;
  tenantId: string | null;
  /** Dotted: `session.create`, `webhook.delete`, `user.disable`, `auth.login`, … */
  action: string;
  /** Path-like: `sessions/sales`, `users/01J…`, `webhooks/wh_…`. */
  resource: string | null;
  /** `ok`, or the error code the caller got. */
  result: string;
  statusCode: number;
  requestId: string | null;
  sourceIp: string | null;
}
