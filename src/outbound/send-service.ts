/**
 * Accepting a send: validate, resolve the content (media loaded now), give it its WhatsApp id, store
 * message + queue row (+ idempotency key) in one transaction, then let the worker send it.
 * `sync` waits for the outcome up to a timeout; `async` answers at once.
 */
import type { Principal } from '../auth/principal.ts';
import type { Clock } from '../clock.ts';
import { resolveRecipient } from '../domain/jid.ts';
import type { MessageRecord } from '../domain/messages.ts';
import type { EventRecord, SessionRecord } from '../domain/records.ts';
import type { EngineSession } from '../engines/engine.ts';
import { describeOutbound } from '../engines/describe-outbound.ts';
import type { MessageRef, OutboundMessage } from '../engines/messaging.ts';
import { AppError } from '../errors/app-error.ts';
import type { MediaLimits } from '../messages/media-source.ts';
import { messagePayload } from '../messages/message-recorder.ts';
import { chatOf } from '../messages/address-book.ts';
import { toRef, toView, type MessageView } from '../messages/message-service.ts';
import { toOutboundContent, type SendRequest } from '../messages/send-request.ts';
import type { LiveSessions } from '../sessions/live-session.ts';
import { sessionEvent, type EventPublisher } from '../sessions/session-events.ts';
import type { QueuedSend } from '../storage/outbound-ports.ts';
import { StorageConflictError, type Storage } from '../storage/ports.ts';
import { checkKey, idempotencyScope, replayOf, requestHash } from './idempotency.ts';
import type { OutboundWorker } from './outbound-worker.ts';
import { serializeOutbound } from './payload.ts';

export type SendMode = 'sync' | 'async';

export interface SendOptions {
  mode: SendMode;
  /** Sync only: how long to wait for WhatsApp's answer (and the pacing) before answering 202. */
  timeoutMs?: number;
  idempotencyKey?: string;
}

export interface SendResult {
  /** 201 when WhatsApp took it, 202 while it still waits in the queue. */
  statusCode: 201 | 202;
  message: MessageView;
  replayed: boolean;
}

export interface SendServiceDeps {
  storage: Storage;
  clock: Clock;
  newId: () => string;
  publish: EventPublisher;
  live: LiveSessions;
  worker: OutboundWorker;
  media: MediaLimits;
  syncTimeoutMs: number;
  /** A send was queued here for a session another node runs (or takes over): that node works the queue. */
  queuedElsewhere?(sessionId: string): void;
}

/** A queued message as the API shows it before WhatsApp has it. */
export function queuedRecord(session: SessionRecord, message: OutboundMessage, now: number, chat?: { chatId: string; chatAltId: string | null }): MessageRecord {
  const described = describeOutbound(message.content);
  return {
    sessionId: session.id, tenantId: session.tenantId, id: message.id, chatId: chat?.chatId ?? message.to, chatAltId: chat?.chatAltId ?? null, fromMe: true,
    senderId: null, senderAltId: null, type: described.type,
    content: { ...described.content, ...(message.quoted ? { quotedId: message.quoted.id } : {}) },
    status: 'queued', statusReason: null, timestamp: now, raw: null, updatedAt: now,
  };
}

export function queueItem(message: OutboundMessage, session: SessionRecord, seq: string, now: number, bulkJobId: string | null = null): QueuedSend {
  return { sessionId: session.id, messageId: message.id, tenantId: session.tenantId, seq, chatId: message.to, payload: serializeOutbound(message), bulkJobId, attempts: 0, enqueuedAt: now };
}

/** An id the engine made that this session has not used yet (an engine restarted may repeat itself). */
export async function freshMessageId(storage: Storage, engine: EngineSession, sessionId: string, taken: Set<string> = new Set()): Promise<string> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const id = engine.newMessageId();
    if (!taken.has(id) && !(await storage.messages.get(sessionId, id))) return id;
  }
  throw new AppError('INTERNAL', 'The engine keeps producing message ids that are already in use.');
}

export class SendService {
  constructor(private readonly deps: SendServiceDeps) {}

  async send(principal: Principal, sessionId: string, request: SendRequest, options: SendOptions): Promise<SendResult> {
    const { storage, clock } = this.deps;
    const recipient = resolveRecipient(request.to);
    if (!recipient) {
      throw new AppError('INVALID_RECIPIENT', `"${request.to}" is not a recipient: give a phone number with country code or a JID (…@s.whatsapp.net, …@lid, …@g.us).`, { field: 'body.to' });
    }
    const key = checkKey(options.idempotencyKey);
    const target = await this.deps.live.forSend(principal, sessionId);
    const session = target.record;
    const scope = idempotencyScope(principal);
    const hash = requestHash('send', sessionId, request);
    if (key) {
      const earlier = await replayOf(storage, scope, key, hash, clock.now());
      if (earlier) return this.replay(sessionId, earlier.resultId);
    }
    const content = await toOutboundContent(request, (messageId) => this.ref(sessionId, messageId), this.deps.media);
    const quoted = request.replyTo ? await this.ref(sessionId, request.replyTo) : undefined;
    const timeoutMs = options.timeoutMs ?? this.deps.syncTimeoutMs;
    // Queued for another node (the owner could not be reached): there is nothing here to wait for.
    const sync = options.mode === 'sync' && target.local;
    if (sync) await this.refuseLongWait(session, timeoutMs);

    const accepted = await this.store(session, target.newMessageId, recipient.jid, content, quoted, key ? { scope, key, hash } : undefined);
    if ('replayOf' in accepted) return this.replay(sessionId, accepted.replayOf);
    const { message, queued, events } = accepted;
    this.deps.publish(events);
    if (target.local) this.deps.worker.kick(sessionId);
    else this.deps.queuedElsewhere?.(sessionId);
    if (!sync) return { statusCode: 202, message: toView(queued), replayed: false };
    // The worker hands over the message as it recorded it; only a wait that timed out reads it again.
    const settled = await this.deps.worker.settled(message.id, timeoutMs);
    return settled ? this.result(settled, false) : this.outcome(sessionId, message.id, false);
  }

  /**
   * Stores the message, its queue row, the idempotency key and the message.queued event in one
   * transaction. The engine's id is checked by the insert itself: an engine restarted may repeat an
   * id, and then the message goes in under a fresh one.
   */
  private async store(
    session: SessionRecord, newMessageId: () => string, to: string, content: OutboundMessage['content'], quoted: MessageRef | undefined,
    idempotency: { scope: string; key: string; hash: string } | undefined,
  ): Promise<{ message: OutboundMessage; queued: MessageRecord; events: EventRecord[] } | { replayOf: string }> {
    const { storage, clock, newId } = this.deps;
    // Sent to the address given; filed in the person's one chat, whichever address that was.
    const chat = await chatOf(storage, session.id, to);
    for (let attempt = 0; attempt < 20; attempt++) {
      const now = clock.now();
      const message: OutboundMessage = { to, id: newMessageId(), content, ...(quoted ? { quoted } : {}) };
      const queued = queuedRecord(session, message, now, chat);
      const events = [sessionEvent(newId, now, session, 'message.queued', messagePayload(queued))];
      try {
        const stored = await storage.transaction(async (repos) => {
          if (!(await repos.messages.insertNew(queued))) return false;
          await repos.outbound.enqueue([queueItem(message, session, newId(), now)]);
          if (idempotency) await repos.idempotency.create({ scope: idempotency.scope, key: idempotency.key, requestHash: idempotency.hash, sessionId: session.id, resultId: message.id, createdAt: now });
          await repos.events.append(events);
          return true;
        });
        if (stored) return { message, queued, events };
      } catch (error) {
        // Two requests with one key at the same moment: the loser replays the winner.
        if (idempotency && error instanceof StorageConflictError) {
          const winner = await replayOf(storage, idempotency.scope, idempotency.key, idempotency.hash, clock.now());
          if (winner) return { replayOf: winner.resultId };
        }
        throw error;
      }
    }
    throw new AppError('INTERNAL', 'The engine keeps producing message ids that are already in use.');
  }

  /** A sync send that would wait for pacing longer than its timeout is refused before it is stored. */
  private async refuseLongWait(session: SessionRecord, timeoutMs: number): Promise<void> {
    const { depth } = await this.deps.storage.outbound.depth(session.id);
    const waitMs = (await this.deps.worker.estimate(session, depth + 1)) - this.deps.clock.now();
    if (waitMs > timeoutMs) {
      throw new AppError('SEND_RATE_LIMITED', `This session's pacing would hold the message about ${Math.ceil(waitMs / 1000)} s, longer than the ${timeoutMs} ms sync timeout: retry later or send with mode=async.`, {
        retryAfterSeconds: Math.max(1, Math.ceil((waitMs - timeoutMs) / 1000)),
        queueDepth: depth,
      });
    }
  }

  private async replay(sessionId: string, messageId: string): Promise<SendResult> {
    return this.outcome(sessionId, messageId, true);
  }

  private async outcome(sessionId: string, messageId: string, replayed: boolean): Promise<SendResult> {
    const record = await this.deps.storage.messages.get(sessionId, messageId);
    if (!record) throw new AppError('MESSAGE_NOT_FOUND', `Message "${messageId}" is no longer stored.`);
    return this.result(record, replayed);
  }

  private result(record: MessageRecord, replayed: boolean): SendResult {
    if (record.status === 'failed' && record.statusReason?.startsWith('RECIPIENT_NOT_ON_WHATSAPP')) {
      throw new AppError('RECIPIENT_NOT_ON_WHATSAPP', `${record.statusReason.replace(/^RECIPIENT_NOT_ON_WHATSAPP: /, '')}: check the number; nothing was sent.`, { messageId: record.id, field: 'body.to' });
    }
    if (record.status === 'failed') {
      throw new AppError('MESSAGE_SEND_FAILED', `WhatsApp did not accept message ${record.id}: ${record.statusReason ?? 'unknown reason'}`, { messageId: record.id });
    }
    return { statusCode: record.status === 'queued' ? 202 : 201, message: toView(record), replayed };
  }

  private async ref(sessionId: string, messageId: string): Promise<MessageRef> {
    const record = await this.deps.storage.messages.get(sessionId, messageId);
    if (!record) throw new AppError('MESSAGE_NOT_FOUND', `Message "${messageId}" not found in this session.`);
    return toRef(record);
  }
}
