/**
 * Storage ports. Services depend on these interfaces only; adapters live in src/storage/<driver>/.
 * Every method is async because the PostgreSQL driver is.
 */
import type { ApiKeyRecord, EventRecord, SessionRecord, Tenant } from '../domain/records.ts';
import type { SessionStatus } from '../domain/session.ts';
import type { ChatRecord, ContactRecord, MessageRecord, MessageStatus } from '../domain/messages.ts';

export interface Page<T> {
  items: T[];
  total: number;
}

export interface TenantRepository {
  /** Throws StorageConflictError when the id exists. */
  create(tenant: Tenant): Promise<void>;
  get(id: string): Promise<Tenant | undefined>;
  list(): Promise<Tenant[]>;
  update(id: string, patch: Partial<Pick<Tenant, 'name' | 'maxSessions'>>): Promise<Tenant | undefined>;
}

export interface ApiKeyRepository {
  create(key: ApiKeyRecord): Promise<void>;
  getByHash(hash: string): Promise<ApiKeyRecord | undefined>;
  get(id: string): Promise<ApiKeyRecord | undefined>;
  listByTenant(tenantId: string | null): Promise<ApiKeyRecord[]>;
  revoke(id: string, at: number): Promise<boolean>;
  touch(id: string, at: number): Promise<void>;
}

export interface SessionListQuery {
  tenantId?: string;
  status?: SessionStatus;
  limit: number;
  offset: number;
}

export interface SessionRepository {
  /** Throws StorageConflictError when the id exists. */
  create(session: SessionRecord): Promise<void>;
  get(id: string): Promise<SessionRecord | undefined>;
  list(query: SessionListQuery): Promise<Page<SessionRecord>>;
  countByTenant(tenantId: string): Promise<number>;
  /** Sessions whose desired state is `running` (resumed at process start). */
  listDesiredRunning(): Promise<SessionRecord[]>;
  update(
    id: string,
    patch: Partial<Pick<SessionRecord, 'status' | 'statusReason' | 'desiredState' | 'config' | 'me' | 'engine'>>,
    updatedAt: number,
  ): Promise<SessionRecord | undefined>;
  delete(id: string): Promise<boolean>;
  countByStatus(): Promise<Array<{ status: SessionStatus; engine: string; count: number }>>;
}

export interface EventQuery {
  tenantId?: string;
  sessionId?: string;
  /** Exclusive cursor: only events with id > after (ULIDs sort by time). */
  after?: string;
  types?: string[];
  limit: number;
}

export interface EventRepository {
  append(events: EventRecord[]): Promise<void>;
  list(query: EventQuery): Promise<EventRecord[]>;
  /** Deletes events older than the timestamp; returns how many. */
  pruneBefore(timestamp: number): Promise<number>;
}

/** One write to a session's auth state; value null deletes the key. Values arrive already encrypted. */
export interface AuthStateWrite {
  category: string;
  keyId: string;
  value: Buffer | null;
}

export interface AuthStateRepository {
  get(sessionId: string, category: string, keyIds: string[]): Promise<Map<string, Buffer>>;
  /** All writes commit together or not at all. */
  write(sessionId: string, writes: AuthStateWrite[]): Promise<void>;
  clear(sessionId: string): Promise<void>;
  /** Every row of a session (export / migration). */
  dump(sessionId: string): Promise<Array<{ category: string; keyId: string; value: Buffer }>>;
}

export interface MessageListQuery {
  sessionId: string;
  chatId?: string;
  /** Only messages older than this timestamp (paging backwards through history). */
  before?: number;
  limit: number;
}

export interface MessageRepository {
  /** Inserts, or replaces the content of an existing (sessionId, id) while keeping the furthest status. */
  upsert(message: MessageRecord): Promise<void>;
  get(sessionId: string, id: string): Promise<MessageRecord | undefined>;
  /** Newest first. */
  list(query: MessageListQuery): Promise<MessageRecord[]>;
  /** Sets status (and reason) unconditionally; the caller decides whether it is an advance. */
  setStatus(sessionId: string, id: string, status: MessageStatus, reason: string | null, at: number): Promise<boolean>;
  /** Outbound messages still queued, oldest first (resume after a crash). */
  listQueued(sessionId: string, limit: number): Promise<MessageRecord[]>;
  deleteBySession(sessionId: string): Promise<void>;
}

export interface ChatRepository {
  /** Creates or moves the chat forward; a name given replaces the stored one. */
  upsert(chat: ChatRecord): Promise<void>;
  get(sessionId: string, chatId: string): Promise<ChatRecord | undefined>;
  /** Most recent activity first. */
  list(sessionId: string, limit: number, offset: number): Promise<Page<ChatRecord>>;
  deleteBySession(sessionId: string): Promise<void>;
}

export interface ContactRepository {
  upsertMany(contacts: ContactRecord[]): Promise<void>;
  get(sessionId: string, id: string): Promise<ContactRecord | undefined>;
  list(sessionId: string, limit: number, offset: number): Promise<Page<ContactRecord>>;
  deleteBySession(sessionId: string): Promise<void>;
}

export interface Repositories {
  tenants: TenantRepository;
  apiKeys: ApiKeyRepository;
  sessions: SessionRepository;
  events: EventRepository;
  authState: AuthStateRepository;
  messages: MessageRepository;
  chats: ChatRepository;
  contacts: ContactRepository;
}

export interface Storage extends Repositories {
  readonly driver: 'sqlite' | 'postgres';
  /** Runs fn with repositories bound to one transaction: all of its writes commit or none. */
  transaction<T>(fn: (repos: Repositories) => Promise<T>): Promise<T>;
  /** Throws when the store cannot answer (used by /ready). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class StorageConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StorageConflictError';
  }
}
