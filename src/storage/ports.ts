/**
 * Storage ports. Services depend on these interfaces only; adapters live in src/storage/<driver>/.
 * Every method is async because the PostgreSQL driver is.
 */
import type { ApiKeyRecord, EventRecord, SessionRecord, Tenant, TenantDeletion } from '../domain/records.ts';
import type { SessionStatus } from '../domain/session.ts';
import type { ChatRecord, ContactRecord, MessageRecord, MessageStatus } from '../domain/messages.ts';
import type { PersonAddresses } from '../domain/jid.ts';
import type { OutboundRepositories } from './outbound-ports.ts';
import type { AlertRepositories } from './alert-ports.ts';
import type { AccountRepositories } from './account-ports.ts';
import type { DeliveryRecord, DeliveryStatus, WebhookRecord } from '../domain/webhooks.ts';
import type { Fence } from '../domain/cluster.ts';
import type { ClusterBus, ClusterRepository } from './cluster-ports.ts';

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

/** Deleting a tenant (src/storage/shared/tenant-deletion-repository.ts). */
export interface TenantDeletionRepository {
  /** Stores the request and ends the tenant's access (keys, users); the stored request, or undefined for an unknown tenant. */
  mark(tenantId: string, deletion: TenantDeletion): Promise<TenantDeletion | undefined>;
  /** Tenants whose deletion has not finished (resumed at start-up). */
  pending(): Promise<Array<{ tenant: Tenant; deletion: TenantDeletion }>>;
  sessionIds(tenantId: string): Promise<string[]>;
  runningBulkJobs(tenantId: string): Promise<string[]>;
  forgetSession(sessionId: string): Promise<void>;
  /** Removes the rest of the tenant and the tenant itself; false while it still has sessions. */
  purge(tenantId: string): Promise<boolean>;
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
  /**
   * Undefined when the session does not exist. With `fence` (the owner's lease, for status the live
   * connection reports), FencedWriteError when that is no longer the session's lease.
   */
  update(
    id: string,
    patch: Partial<Pick<SessionRecord, 'status' | 'statusReason' | 'desiredState' | 'config' | 'me' | 'engine' | 'placement'>>,
    updatedAt: number,
    fence?: Fence,
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
  /**
   * All writes commit together or not at all. With `fence` (the owner's lease), only while that is
   * still the session's lease: otherwise nothing is written and FencedWriteError is thrown.
   */
  write(sessionId: string, writes: AuthStateWrite[], fence?: Fence): Promise<void>;
  clear(sessionId: string, fence?: Fence): Promise<void>;
  /** Every row of a session (export / migration). */
  dump(sessionId: string): Promise<Array<{ category: string; keyId: string; value: Buffer }>>;
}

export interface MessageListQuery {
  sessionId: string;
  chatId?: string;
  /**
   * Keyset cursor for paging backwards: only messages strictly before this (timestamp, id) in
   * newest-first order. Both parts are needed: WhatsApp timestamps are whole seconds, so bursts share one.
   */
  before?: { timestamp: number; id: string };
  limit: number;
}

/** What the engine reports of a message it has just sent. */
export type SentContent = Pick<MessageRecord, 'chatId' | 'timestamp' | 'type' | 'content' | 'raw'>;

export interface MessageRepository {
  /** Inserts, or replaces the content of an existing (sessionId, id) while keeping the furthest status. */
  upsert(message: MessageRecord): Promise<void>;
  /** Inserts a message whose id must be new; false (and nothing written) when the session has that id. */
  insertNew(message: MessageRecord): Promise<boolean>;
  /**
   * An API send WhatsApp took: content as sent, status `sent` unless a receipt already moved it on.
   * Returns the stored message, or undefined when it no longer exists.
   */
  markSent(sessionId: string, id: string, sent: SentContent, at: number): Promise<MessageRecord | undefined>;
  get(sessionId: string, id: string): Promise<MessageRecord | undefined>;
  /** Newest first. */
  list(query: MessageListQuery): Promise<MessageRecord[]>;
  /**
   * Sets status (and reason); the caller decides whether it is an advance. With `expected`, only while
   * the stored status is still that one (false otherwise), so concurrent receipts cannot undo each other.
   */
  setStatus(sessionId: string, id: string, status: MessageStatus, reason: string | null, at: number, expected?: MessageStatus): Promise<boolean>;
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

/**
 * Who is who among a session's addresses. WhatsApp names one person by phone JID or by LID; the store
 * files each person under one address (the phone JID once known, see domain/jid.ts canonicalAddress).
 */
export interface AddressRepository {
  /** Both addresses of the person `jid` (phone JID or LID) names, as far as the session's contacts tell. */
  find(sessionId: string, jid: string): Promise<PersonAddresses | undefined>;
  /**
   * Records that `lid` and `phoneJid` are one person and moves what was filed under the LID to the
   * phone JID: the LID chat's messages join the phone chat (its last message recomputed from them),
   * that person's group messages name the phone JID as sender, and the LID contact merges into the
   * phone one (fields the phone contact lacks come from it). Idempotent; all or nothing.
   */
  link(sessionId: string, person: { lid: string; phoneJid: string }, at: number): Promise<void>;
}

export interface WebhookListQuery {
  /** Webhooks of this tenant (tenant level and its sessions'); undefined = all, null = global only. */
  tenantId?: string | null;
  sessionId?: string;
}

export interface WebhookRepository {
  create(webhook: WebhookRecord): Promise<void>;
  get(id: string): Promise<WebhookRecord | undefined>;
  /** Oldest first. */
  list(query: WebhookListQuery): Promise<WebhookRecord[]>;
  listEnabled(): Promise<WebhookRecord[]>;
  update(id: string, patch: Partial<Pick<WebhookRecord, 'url' | 'events' | 'headers' | 'secret' | 'enabled' | 'description'>>, at: number): Promise<WebhookRecord | undefined>;
  /** Sets the stored headers only if they are still `expected` (a concurrent update wins); true when set. */
  replaceHeaders(id: string, expected: string, next: string): Promise<boolean>;
  /** Deletes the webhook and its delivery log. */
  delete(id: string): Promise<boolean>;
}

export interface DeliveryListQuery {
  webhookId?: string;
  /** Only deliveries of these webhooks (an empty list matches nothing). */
  webhookIds?: string[];
  tenantId?: string;
  status?: DeliveryStatus;
  /** Exclusive cursor on delivery id, ascending. */
  after?: string;
  limit: number;
}

/** What a finished attempt changes on a delivery. */
export type DeliveryOutcome = Pick<DeliveryRecord, 'status' | 'attempts' | 'nextAttemptAt' | 'lastAttemptAt' | 'lastStatusCode' | 'lastError' | 'lastLatencyMs' | 'deliveredAt'>;

/** The ordering group of a delivery: one webhook, one session. */
export function deliveryGroupKey(webhookId: string, orderKey: string): string {
  return `${webhookId} ${orderKey}`;
}

export interface ClaimSkip {
  /** `deliveryGroupKey`s with an attempt in flight. */
  groups?: ReadonlySet<string>;
  /** Webhooks at their concurrency limit. */
  webhooks?: ReadonlySet<string>;
}

export interface DeliveryRepository {
  /** Inserts deliveries; a (webhookId, eventId) pair that exists already is left as it is. Returns how many were new. */
  enqueue(deliveries: DeliveryRecord[]): Promise<number>;
  /** Inserts, or sets an existing (webhookId, eventId) back to pending now with a fresh retry window (unless in flight). */
  requeue(deliveries: DeliveryRecord[]): Promise<number>;
  get(id: string): Promise<DeliveryRecord | undefined>;
  list(query: DeliveryListQuery): Promise<DeliveryRecord[]>;
  /**
   * Marks up to `limit` due pending deliveries as delivering and returns them: only the earliest
   * unfinished delivery of each (webhook, orderKey), only for enabled webhooks, at most
   * `perWebhook(id)` per webhook. Oldest due first. `skip` names what is known to be unclaimable
   * now, so the scan passes it by cheaply instead of filling the limit with it. `claimedBy` names
   * the claiming node; only deliveries this call changed are returned (another node may race it).
   */
  claimDue(now: number, limit: number, perWebhook: (webhookId: string) => number, skip?: ClaimSkip, claimedBy?: string): Promise<DeliveryRecord[]>;
  finish(id: string, outcome: DeliveryOutcome, at: number): Promise<void>;
  /**
   * Delivering → pending: attempts cut short by a crash run again. With `claimedBy`, only those
   * claimed by these nodes (this node at its start, dead nodes later) and unclaimed ones.
   */
  releaseInFlight(at: number, claimedBy?: readonly string[]): Promise<number>;
  /** Sets dead deliveries (by ids, or all of a webhook / tenant) back to pending. */
  retryDead(filter: { ids?: string[]; webhookId?: string; tenantId?: string }, at: number): Promise<number>;
  countByStatus(): Promise<Record<DeliveryStatus, number>>;
  /** Deletes finished (delivered/dead) deliveries last updated before the timestamp. */
  pruneFinishedBefore(timestamp: number): Promise<number>;
  /** Deletes events older than the timestamp except those with a pending or in-flight delivery. */
  pruneEventsBefore(timestamp: number): Promise<number>;
  eventsByIds(ids: string[]): Promise<EventRecord[]>;
  /** Events with after < id <= upTo, ascending (the outbox sweep). */
  eventsBetween(after: string, upTo: string, limit: number): Promise<EventRecord[]>;
  getCursor(name: string): Promise<string | undefined>;
  setCursor(name: string, eventId: string, at: number): Promise<void>;
}

export interface Repositories extends OutboundRepositories, AlertRepositories, AccountRepositories {
  tenants: TenantRepository;
  tenantDeletions: TenantDeletionRepository;
  apiKeys: ApiKeyRepository;
  sessions: SessionRepository;
  events: EventRepository;
  authState: AuthStateRepository;
  messages: MessageRepository;
  chats: ChatRepository;
  contacts: ContactRepository;
  addresses: AddressRepository;
  webhooks: WebhookRepository;
  deliveries: DeliveryRepository;
}

export interface Storage extends Repositories {
  readonly driver: 'sqlite' | 'postgres';
  /** Nodes, leases and fencing tokens, node stats (outside transactions: each call is one statement or its own). */
  readonly cluster: ClusterRepository;
  /** Notifications between the nodes on this store (none on SQLite). */
  readonly bus: ClusterBus;
  /** Runs fn with repositories bound to one transaction: all of its writes commit or none. */
  transaction<T>(fn: (repos: Repositories) => Promise<T>): Promise<T>;
  /**
   * Resolves once every write that returned before the call will survive a power loss. Call it
   * before telling the outside world about a write (an API answer, a webhook delivery, a WebSocket
   * push); work that stays inside wafleet need not wait. Immediate when nothing is pending.
   * With a mark from commitMark(): only the writes that returned before the mark was taken.
   */
  durable(mark?: number): Promise<void>;
  /**
   * Names "every write that has returned so far", for durable(mark): a caller that writes its own
   * bookkeeping after the data it is about to announce need not wait for the bookkeeping too.
   */
  commitMark(): number;
  /** Throws when the store cannot answer (used by /ready). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A write of a session's owner carried a fencing token that is no longer the session's lease: another
 * process took the session over. Nothing of the write (or its transaction) was stored.
 */
export class FencedWriteError extends Error {
  constructor(readonly sessionId: string, readonly fence: Fence) {
    super(`session "${sessionId}": lease epoch ${fence.epoch} is stale; the write was refused`);
    this.name = 'FencedWriteError';
  }
}

export class StorageConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StorageConflictError';
  }
}
