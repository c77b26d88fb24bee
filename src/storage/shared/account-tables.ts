/** Row shapes of users, refresh tokens, the audit log and message analytics (migrations 0040–0042). */

export interface UsersTable {
  id: string;
  tenant_id: string | null;
  email: string;
  name: string | null;
  role: string;
  password_hash: string;
  disabled_at: number | null;
  created_at: number;
  updated_at: number;
  last_login_at: number | null;
}

export interface RefreshTokensTable {
  id: string;
  user_id: string;
  family_id: string;
  hash: string;
  created_at: number;
  expires_at: number;
  rotated_at: number | null;
  revoked_at: number | null;
}

export interface AuditLogTable {
  id: string;
  at: number;
  actor_type: string;
  actor_id: string | null;
  tenant_id: string | null;
  action: string;
  resource: string | null;
  result: string;
  status_code: number;
  request_id: string | null;
  source_ip: string | null;
}

export interface MessageStatsTable {
  tenant_id: string;
  session_id: string;
  bucket_start: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  received: number;
  webhook_ok: number;
  webhook_failed: number;
}

export interface AccountTables {
  users: UsersTable;
  refresh_tokens: RefreshTokensTable;
  audit_log: AuditLogTable;
  message_stats: MessageStatsTable;
}
