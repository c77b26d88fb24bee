/** Plain records shared by services and storage adapters. Timestamps are epoch milliseconds. */
import type { DesiredState, SessionStatus } from './session.ts';
import type { PlacementConstraints } from './cluster.ts';

export interface Tenant {
  id: string;
  name: string;
  maxSessions: number;
  createdAt: number;
  /** Set while the tenant is being deleted (DELETE /v1/tenants/{id}); it then accepts no new work. */
  deletingAt?: number;
}

/** A deletion request, stored on the tenant until the tenant is gone (so a restart finishes it). */
export interface TenantDeletion {
  at: number;
  /** Log the sessions out (unlink the phones) before dropping their data. */
  logout: boolean;
  /** Who asked, for the audit row written when it completes (possibly after a restart). */
  actorType: 'key' | 'user' | 'anonymous';
  actorId: string | null;
  requestId: string | null;
  sourceIp: string | null;
}

export const KEY_SCOPES = ['read', 'send', 'manage'] as const;
export type KeyScope = (typeof KEY_SCOPES)[number];

export interface ApiKeyRecord {
  id: string;
  /** null for an admin key. */
  tenantId: string | null;
  name: string;
  scopes: KeyScope[];
  /** SHA-256 hex of the secret; the secret itself is never stored. */
  hash: string;
  createdAt: number;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

/** Identity of the WhatsApp account behind a session, once paired. */
export interface SessionMe {
  id: string;
  lid?: string;
  name?: string;
}

export interface SessionConfig {
  metadata?: Record<string, string>;
  proxy?: string;
  [key: string]: unknown;
}

export interface SessionRecord {
  id: string;
  tenantId: string;
  engine: string;
  status: SessionStatus;
  statusReason: string | null;
  desiredState: DesiredState;
  config: SessionConfig;
  me: SessionMe | null;
  /** Where the session may run in a cluster; absent or null = any node. */
  placement?: PlacementConstraints | null;
  createdAt: number;
  updatedAt: number;
}

/** Event envelope (ARCHITECTURE.md §7). */
export interface EventRecord {
  id: string;
  type: string;
  tenantId: string;
  sessionId: string | null;
  timestamp: number;
  payload: Record<string, unknown>;
}
