/**
 * Row shapes of the wafleet tables as Kysely sees them (snake_case columns).
 * Timestamps are epoch milliseconds in BIGINT/INTEGER columns; JSON travels as TEXT; blobs as Buffer.
 */
import type { Kysely } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

export interface TenantsTable {
  id: string;
  name: string;
  max_sessions: number;
  created_at: number;
}

export interface ApiKeysTable {
  id: string;
  tenant_id: string | null;
  name: string;
  /** JSON array of scopes. */
  scopes: string;
  hash: string;
  created_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
}

export interface SessionsTable {
  id: string;
  tenant_id: string;
  engine: string;
  status: string;
  status_reason: string | null;
  desired_state: string;
  /** JSON object. */
  config: string;
  /** JSON object or null. */
  me: string | null;
  created_at: number;
  updated_at: number;
}

export interface EventsTable {
  /** ULID: its text order is its time order. */
  id: string;
  tenant_id: string;
  session_id: string | null;
  type: string;
  timestamp: number;
  /** JSON object. */
  payload: string;
}

export interface AuthStateTable {
  session_id: string;
  category: string;
  key_id: string;
  value: Buffer;
}

export interface Database {
  tenants: TenantsTable;
  api_keys: ApiKeysTable;
  sessions: SessionsTable;
  events: EventsTable;
  auth_state: AuthStateTable;
}

/** A Kysely handle on the wafleet tables: the root instance or a transaction. */
export type Db = Kysely<Database>;
