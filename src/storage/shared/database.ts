/**
 * Row shapes of the wafleet tables as Kysely sees them (snake_case columns).
 * Timestamps are epoch milliseconds in BIGINT/INTEGER columns; JSON travels as TEXT; blobs as Buffer.
 */
import type { Kysely } from 'kysely';
import type { OutboundTables } from './outbound-tables.ts';
import type { AlertTables } from './alert-tables.ts';
import type { AccountTables } from './account-tables.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface TenantsTable {
  id: string;
  name: string;
  max_sessions: number;
  created_at: number;
  /** JSON TenantDeletion while the tenant is being deleted (migration 0060), else null. */
  deletion: string | null;
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
  /** JSON PlacementConstraints or null. */
  placement: string | null;
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

export interface MessagesTable {
  session_id: string;
  id: string;
  tenant_id: string;
  chat_id: string;
  chat_alt_id: string | null;
  /** 0 or 1: SQLite has no boolean type, so both drivers store an integer. */
  from_me: number;
  sender_id: string | null;
  sender_alt_id: string | null;
  type: string;
  /** JSON MessageContent. */
  content: string;
  status: string;
  status_reason: string | null;
  timestamp: number;
  raw: string | null;
  updated_at: number;
}

export interface ChatsTable {
  session_id: string;
  chat_id: string;
  name: string | null;
  last_message_at: number;
  last_message_id: string | null;
}

export interface ContactsTable {
  session_id: string;
  id: string;
  phone_jid: string | null;
  lid: string | null;
  name: string | null;
  notify: string | null;
  updated_at: number;
}

export interface WebhooksTable {
  id: string;
  tenant_id: string | null;
  session_id: string | null;
  url: string;
  /** JSON array of type filters. */
  events: string;
  /** Custom headers: sealed JSON (base64), or a clear JSON object in rows written before headers were sealed. */
  headers: string;
  /** Sealed secret (base64). */
  secret: string;
  /** 0 or 1. */
  enabled: number;
  description: string | null;
  created_at: number;
  updated_at: number;
}

export interface WebhookDeliveriesTable {
  id: string;
  webhook_id: string;
  event_id: string;
  event_type: string;
  tenant_id: string;
  order_key: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  window_started_at: number;
  last_attempt_at: number | null;
  last_status_code: number | null;
  last_error: string | null;
  last_latency_ms: number | null;
  delivered_at: number | null;
  created_at: number;
  updated_at: number;
  /** The node that claimed it while it is delivering. */
  claimed_by: string | null;
}

export interface OutboxCursorsTable {
  name: string;
  event_id: string;
  updated_at: number;
}

export interface NodesTable {
  id: string;
  url: string;
  instance: string;
  state: string;
  version: string;
  started_at: number;
  heartbeat_at: number;
  capacity: number | null;
  weight: number;
  /** JSON object of tags. */
  tags: string;
  /** JSON NodeStats. */
  stats: string;
}

export interface SessionLeasesTable {
  session_id: string;
  node_id: string | null;
  holder: string | null;
  epoch: number;
  expires_at: number;
  updated_at: number;
}

export interface NodeStatsTable {
  node_id: string;
  at: number;
  /** JSON NodeStats plus sessions. */
  stats: string;
}

export interface Database extends OutboundTables, AlertTables, AccountTables {
  tenants: TenantsTable;
  api_keys: ApiKeysTable;
  sessions: SessionsTable;
  events: EventsTable;
  auth_state: AuthStateTable;
  messages: MessagesTable;
  chats: ChatsTable;
  contacts: ContactsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  outbox_cursors: OutboxCursorsTable;
  nodes: NodesTable;
  session_leases: SessionLeasesTable;
  node_stats: NodeStatsTable;
}

/** A Kysely handle on the wafleet tables: the root instance or a transaction. */
export type Db = Kysely<Database>;
