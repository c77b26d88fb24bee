/**
 * Bulk sends: one request, many recipients, one durable job. Every recipient's message is stored and
 * queued up front (all or nothing), then the same worker and pacing as single sends deliver them.
 * Pause keeps the job's messages queued but skipped; cancel fails the ones still waiting.
 */
import type { Principal } from '../auth/principal.ts';
import type { Clock } from '../clock.ts';
import { resolveRecipient } from '../domain/jid.ts';
import type { EventRecord } from '../domain/records.ts';
import type { OutboundContent, OutboundMessage } from '../engines/messaging.ts';
import { AppError } from '../errors/app-error.ts';
import type { MediaLimits } from '../messages/media-source.ts';
import { messagePayload } from '../messages/message-recorder.ts';
import { toOutboundContent, type SendRequest } from '../messages/send-request.ts';
import type { LiveSessions } from '../sessions/live-session.ts';
import type { SessionService } from '../sessions/session-service.ts';
import { sessionEvent, type EventPublisher } from '../sessions/session-events.ts';
import type { BulkItemResult, BulkJobRecord, BulkJobStatus } from '../storage/outbound-ports.ts';
import { StorageConflictError, type Storage } from '../storage/ports.ts';
import { checkKey, idempotencyScope, replayOf, requestHash } from './idempotency.ts';
import type { OutboundWorker } from './outbound-worker.ts';
import { freshMessageId, queuedRecord, queueItem } from './send-service.ts';
import { chatOf } from '../messages/address-book.ts';
import { render } from './templates.ts';
import { bulkView, type BulkJobView } from './bulk-view.ts';

export const BULK_TYPES = ['text', 'image', 'video', 'audio', 'voice', 'document', 'sticker', 'location', 'contact', 'poll'] as const;

export interface BulkRequest {
  recipients: Array<{ to: string; variables?: Record<string, string> }>;
  message: Omit<SendRequest, 'to' | 'replyTo' | 'messageId'>;
}

export interface BulkServiceDeps {
  storage: Storage;
  clock: Clock;
  newId: () => string;
  publish: EventPublisher;
  live: LiveSessions;
  sessions: SessionService;
  worker: OutboundWorker;
  media: MediaLimits;
  maxRecipients: number;
}

export class BulkService {
  constructor(private readonly deps: BulkServiceDeps) {}

  async create(principal: Principal, sessionId: string, request: BulkRequest, idempotencyKey?: string): Promise<{ job: BulkJobView; replayed: boolean }> {
    const { storage, clock } = this.deps;
    if (request.recipients.length > this.deps.maxRecipients) {
      throw new AppError('VALIDATION_FAILED', `A bulk send takes at most ${this.deps.maxRecipients} recipients.`, { field: 'body.recipients' });
    }
    const recipients = request.recipients.map((recipient, index) => {
      const resolved = resolveRecipient(recipient.to);
      if (!resolved) throw new AppError('INVALID_RECIPIENT', `recipients[${index}].to "${recipient.to}" is not a phone number or JID.`, { field: `body.recipients.${index}.to` });
      return { ...recipient, jid: resolved.jid };
    });
    const key = checkKey(idempotencyKey);
    const { record: session, engine } = await this.deps.live.get(principal, sessionId, 'send');
    const scope = idempotencyScope(principal);
    const hash = requestHash('bulk', sessionId, request);
    if (key) {
      const earlier = await replayOf(storage, scope, key, hash, clock.now());
      if (earlier) return { job: await this.view(sessionId, earlier.resultId), replayed: true };
    }
    // Media is loaded once and shared; only text and caption differ per recipient.
    const base = await toOutboundContent({ ...request.message, to: recipients[0]?.jid ?? '' } as SendRequest, () => Promise.reject(new AppError('VALIDATION_FAILED', 'Bulk sends cannot refer to other messages.')), this.deps.media);
    const now = clock.now();
    const job: BulkJobRecord = { id: this.deps.newId(), tenantId: session.tenantId, sessionId, status: 'running', total: recipients.length, createdAt: now, updatedAt: now };
    const taken = new Set<string>();
    const messages: OutboundMessage[] = [];
    for (const [index, recipient] of recipients.entries()) {
      const id = await freshMessageId(storage, engine, sessionId, taken);
      taken.add(id);
      messages.push({ to: recipient.jid, id, content: personalize(base, recipient.variables, index) });
    }
    const chats = await Promise.all(messages.map((message) => chatOf(storage, sessionId, message.to)));
    const queued = messages.map((message, index) => queuedRecord(session, message, now, chats[index]));
    const events: EventRecord[] = queued.map((record) => sessionEvent(this.deps.newId, now, session, 'message.queued', { ...messagePayload(record), bulkJobId: job.id }));
    try {
      await storage.transaction(async (repos) => {
        await repos.bulkJobs.create(job, messages.map((message, index) => ({ jobId: job.id, index, recipient: message.to, messageId: message.id })));
        for (const record of queued) await repos.messages.upsert(record);
        await repos.outbound.enqueue(messages.map((message) => queueItem(message, session, this.deps.newId(), now, job.id)));
        if (key) await repos.idempotency.create({ scope, key, requestHash: hash, sessionId, resultId: job.id, createdAt: now });
        await repos.events.append(events);
      });
    } catch (error) {
      if (key && error instanceof StorageConflictError) {
        const winner = await replayOf(storage, scope, key, hash, clock.now());
        if (winner) return { job: await this.view(sessionId, winner.resultId), replayed: true };
      }
      throw error;
    }
    this.deps.publish(events);
    this.deps.worker.kick(sessionId);
    return { job: await this.view(sessionId, job.id), replayed: false };
  }

  async get(principal: Principal, sessionId: string, jobId: string): Promise<BulkJobView> {
    await this.deps.sessions.load(principal, sessionId, 'read');
    return this.view(sessionId, jobId);
  }

  async list(principal: Principal, sessionId: string, limit: number): Promise<BulkJobView[]> {
    await this.deps.sessions.load(principal, sessionId, 'read');
    const jobs = await this.deps.storage.bulkJobs.listBySession(sessionId, limit);
    return Promise.all(jobs.map((job) => this.view(sessionId, job.id)));
  }

  async items(principal: Principal, sessionId: string, jobId: string, limit: number, offset: number): Promise<BulkItemResult[]> {
    await this.deps.sessions.load(principal, sessionId, 'read');
    await this.job(sessionId, jobId);
    return this.deps.storage.bulkJobs.items(jobId, limit, offset);
  }

  /** pause / resume / cancel; asking for the status the job already has is a no-op. */
  async control(principal: Principal, sessionId: string, jobId: string, action: 'pause' | 'resume' | 'cancel'): Promise<BulkJobView> {
    const session = await this.deps.sessions.load(principal, sessionId, 'send');
    const job = await this.job(sessionId, jobId);
    const current = (await this.view(sessionId, jobId)).status;
    const target: BulkJobStatus = action === 'pause' ? 'paused' : action === 'resume' ? 'running' : 'cancelled';
    if (current === target) return this.view(sessionId, jobId);
    const allowed = action === 'resume' ? current === 'paused' : current === 'running' || current === 'paused';
    if (!allowed) throw new AppError('BULK_JOB_STATE_CONFLICT', `Job "${jobId}" is ${current}; it cannot ${action}.`);
    const now = this.deps.clock.now();
    if (action !== 'cancel') {
      await this.deps.storage.bulkJobs.setStatus(job.id, target, now);
      if (action === 'resume') this.deps.worker.kick(sessionId);
      return this.view(sessionId, jobId);
    }
    const unsettled = this.deps.worker.unsettled(sessionId);
    const events = await this.deps.storage.transaction(async (repos) => {
      await repos.bulkJobs.setStatus(job.id, 'cancelled', now);
      const removed = await repos.outbound.removeByJob(job.id);
      const batch: EventRecord[] = [];
      for (const id of removed) {
        // The ones being sent or recorded right now settle through the worker: they may be on their way.
        if (unsettled.has(id)) continue;
        const record = await repos.messages.get(sessionId, id);
        if (!record || record.status !== 'queued') continue;
        const failed = { ...record, status: 'failed' as const, statusReason: 'bulk job cancelled', updatedAt: now };
        await repos.messages.upsert(failed);
        batch.push(sessionEvent(this.deps.newId, now, session, 'message.failed', { ...messagePayload(failed), bulkJobId: job.id }));
      }
      await repos.events.append(batch);
      return batch;
    });
    this.deps.publish(events);
    return this.view(sessionId, jobId);
  }

  private async job(sessionId: string, jobId: string): Promise<BulkJobRecord> {
    const job = await this.deps.storage.bulkJobs.get(jobId);
    if (!job || job.sessionId !== sessionId) throw new AppError('BULK_JOB_NOT_FOUND', `Bulk job "${jobId}" not found in this session.`);
    return job;
  }

  private async view(sessionId: string, jobId: string): Promise<BulkJobView> {
    const job = await this.job(sessionId, jobId);
    return bulkView(job, await this.deps.storage.bulkJobs.progress(jobId));
  }
}

function personalize(base: OutboundContent, variables: Record<string, string> | undefined, index: number): OutboundContent {
  if (base.type === 'text') return { ...base, text: render(base.text, variables, `body.recipients.${index}`) };
  if ('caption' in base && base.caption) return { ...base, caption: render(base.caption, variables, `body.recipients.${index}`) };
  return base;
}
