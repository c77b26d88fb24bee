/**
 * Storage ports of users, refresh tokens, the audit log and message analytics. Kept apart from
 * ports.ts so each contract reads in one place; Repositories extends it.
 */
import type { RefreshTokenRecord, UserRecord, UserRole } from '../domain/users.ts';
import type { AuditRecord } from '../domain/audit.ts';
import type { StatCounts, StatsBucket } from '../domain/analytics.ts';

export interface UserListQuery {
  /** Users of this tenant; null = platform admins; undefined = everyone. */
  tenantId?: string | null;
  limit: number;
  offset: number;
}

export type UserPatch = Partial<Pick<UserRecord, 'name' | 'role' | 'passwordHash' | 'disabledAt' | 'lastLoginAt'>>;

export interface UserRepository {
  /** Throws StorageConflictError when the id or the email exists. */
  create(user: UserRecord): Promise<void>;
  get(id: string): Promise<UserRecord | undefined>;
  getByEmail(email: string): Promise<UserRecord | undefined>;
  /** Oldest first. */
  list(query: UserListQuery): Promise<{ items: UserRecord[]; total: number }>;
  update(id: string, patch: UserPatch, at: number): Promise<UserRecord | undefined>;
  delete(id: string): Promise<boolean>;
  countByRole(role: UserRole, tenantId: string | null): Promise<number>;
}

export interface RefreshTokenRepository {
  create(token: RefreshTokenRecord): Promise<void>;
  getByHash(hash: string): Promise<RefreshTokenRecord | undefined>;
  /** Marks the token rotated, only if it was neither rotated nor revoked yet; false when it lost the race. */
  markRotated(id: string, at: number): Promise<boolean>;
  revokeFamily(familyId: string, at: number): Promise<number>;
  revokeUser(userId: string, at: number): Promise<number>;
  /** True while the family has a token that is neither revoked nor expired. */
  familyActive(familyId: string, now: number): Promise<boolean>;
  pruneExpiredBefore(timestamp: number): Promise<number>;
}

export interface AuditQuery {
  tenantId?: string;
  actorId?: string;
  action?: string;
  /** Prefix: `sessions/sales` matches `sessions/sales` and `sessions/sales/messages/…`. */
  resource?: string;
  from?: number;
  to?: number;
  /** Exclusive cursor: rows with id < before (newest first). */
  before?: string;
  limit: number;
}

export interface AuditRepository {
  append(records: AuditRecord[]): Promise<void>;
  /** Newest first. */
  list(query: AuditQuery): Promise<AuditRecord[]>;
  pruneBefore(timestamp: number): Promise<number>;
}

export interface StatsIncrement extends StatCounts {
  tenantId: string;
  sessionId: string;
  bucketStart: number;
}

export interface StatsQuery {
  tenantId?: string;
  sessionId?: string;
  from: number;
  to: number;
}

export interface AnalyticsRepository {
  /** Adds the counts to their hour buckets, creating them as needed. */
  increment(rows: StatsIncrement[]): Promise<void>;
  /** Hour buckets in [from, to), by session then time. */
  list(query: StatsQuery): Promise<StatsBucket[]>;
  pruneBefore(timestamp: number): Promise<number>;
}

export interface AccountRepositories {
  users: UserRepository;
  refreshTokens: RefreshTokenRepository;
  audit: AuditRepository;
  analytics: AnalyticsRepository;
}
