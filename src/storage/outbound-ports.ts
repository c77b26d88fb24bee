/**
 * Storage ports of the outbound pipeline: the durable send queue, idempotency keys, bulk jobs.
 * Kept apart from ports.ts so the pipeline's contract reads in one place; Repositories extends it.
 */
import type { MessageStatus } from '../domain/messages.ts';
import type { Fence } from '../domain/cluster.ts';

/** One accepted send waiting for its turn. `payload` is the serialized OutboundMessage. */
export interface QueuedSend {
  sessionId: string;
  messageId: string;
  tenantId: string;
  /** ULID: FIFO order within the session. */
  seq: string;
  chatId: string;
  payload: string;
  bulkJobId: string | null;
  attempts: number;
  enqueuedAt: number;
}

export interface QueueDepth {
  depth: number;
  /** When the oldest waiting send was accepted, or null when the queue is empty. */
  oldestEnqueuedAt: number | null;
}

export interface OutboundQueueRepository {
  enqueue(items: QueuedSend[]): Promise<void>;
  /**
   * The oldest send of the session that may go now: not part of a paused or cancelled bulk job.
   * `afterSeq`: only one queued after that one (the worker passes the last message it sent while
   * that message's record is still being written, so it is not picked again).
   */
  next(sessionId: string, afterSeq?: string): Promise<QueuedSend | undefined>;
  /**
   * Counts an attempt before it is made (a crash mid-send still counts); false when the message is no
   * longer queued. With `fence` (the owner's lease), FencedWriteError once that lease moved on.
   */
  markAttempt(sessionId: string, messageId: string, fence?: Fence): Promise<boolean>;
  /** False when it was not queued. `fence` as for markAttempt. */
  remove(sessionId: string, messageId: string, fence?: Fence): Promise<boolean>;
  /** Removes a bulk job's waiting sends; returns their message ids. */
  removeByJob(jobId: string): Promise<string[]>;
  depth(sessionId: string): Promise<QueueDepth>;
  /** Sessions with anything waiting (resumed when their session is WORKING on this node). */
  sessionsWithWork(): Promise<string[]>;
  /** Every session together (for /metrics). */
  totals(): Promise<QueueDepth>;
}

export interface IdempotencyRecord {
  /** Who may replay: the tenant id, or `admin`. */
  scope: string;
  key: string;
  requestHash: string;
  sessionId: string;
  /** The message id (single send) or bulk job id the first request produced. */
  resultId: string;
  createdAt: number;
}

export interface IdempotencyRepository {
  /** Throws StorageConflictError when (scope, key) exists. */
  create(record: IdempotencyRecord): Promise<void>;
  get(scope: string, key: string): Promise<IdempotencyRecord | undefined>;
  delete(scope: string, key: string): Promise<void>;
  pruneBefore(timestamp: number): Promise<number>;
}

export const BULK_JOB_STATUSES = ['running', 'paused', 'cancelled', 'completed'] as const;
export type BulkJobStatus = (typeof BULK_JOB_STATUSES)[number];

export interface BulkJobRecord {
  id: string;
  tenantId: string;
  sessionId: string;
  status: BulkJobStatus;
  total: number;
  createdAt: number;
  updatedAt: number;
}

export interface BulkItemRecord {
  jobId: string;
  index: number;
  recipient: string;
  messageId: string;
}

export interface BulkItemResult extends BulkItemRecord {
  status: MessageStatus;
  statusReason: string | null;
}

export interface BulkJobRepository {
  create(job: BulkJobRecord, items: BulkItemRecord[]): Promise<void>;
  get(id: string): Promise<BulkJobRecord | undefined>;
  listBySession(sessionId: string, limit: number): Promise<BulkJobRecord[]>;
  setStatus(id: string, status: BulkJobStatus, at: number): Promise<boolean>;
  /** Per-recipient results in recipient order, with the status of each message. */
  items(jobId: string, limit: number, offset: number): Promise<BulkItemResult[]>;
  /** How many of the job's messages are in each status. */
  progress(jobId: string): Promise<Partial<Record<MessageStatus, number>>>;
}

/** A tenant's pacing defaults: a partial PacingRules object, as given through the API. */
export interface TenantPacingRepository {
  get(tenantId: string): Promise<Record<string, unknown> | undefined>;
  /** Replaces the tenant's defaults. The tenant must exist. */
  set(tenantId: string, pacing: Record<string, unknown>, at: number): Promise<void>;
}

export interface OutboundRepositories {
  outbound: OutboundQueueRepository;
  idempotency: IdempotencyRepository;
  bulkJobs: BulkJobRepository;
  tenantPacing: TenantPacingRepository;
}
