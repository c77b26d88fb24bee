/** Reading messages of a session through the API (sending goes through src/outbound/send-service.ts). */
import type { Principal } from '../auth/principal.ts';
import type { MessageRecord } from '../domain/messages.ts';
import { resolveRecipient } from '../domain/jid.ts';
import { AppError } from '../errors/app-error.ts';
import type { DownloadedMedia, MessageRef } from '../engines/messaging.ts';
import type { Storage } from '../storage/ports.ts';
import type { Clock } from '../clock.ts';
import type { SessionService } from '../sessions/session-service.ts';
import type { LiveSessions } from '../sessions/live-session.ts';
import type { MessageRecorder } from './message-recorder.ts';
import { chatOf } from './address-book.ts';
import { messagePayload } from './message-recorder.ts';
import type { MediaLimits } from './media-source.ts';

export type MessageView = Omit<MessageRecord, 'raw' | 'sessionId' | 'tenantId'>;

export function toView(record: MessageRecord): MessageView {
  return messagePayload(record) as MessageView;
}

export function toRef(record: MessageRecord): MessageRef {
  return { id: record.id, chatId: record.chatId, fromMe: record.fromMe, senderId: record.senderId, raw: record.raw };
}

export interface MessageServiceDeps {
  storage: Storage;
  clock: Clock;
  newId: () => string;
  sessions: SessionService;
  live: LiveSessions;
  recorder: MessageRecorder;
  media: MediaLimits;
}

export class MessageService {
  constructor(private readonly deps: MessageServiceDeps) {}

  async get(principal: Principal, sessionId: string, messageId: string): Promise<MessageView> {
    await this.deps.sessions.load(principal, sessionId, 'read');
    return toView(await this.record(sessionId, messageId));
  }

  /** History, newest first; `before` is the id of the last message of the previous page. */
  async list(principal: Principal, sessionId: string, query: { chatId?: string; before?: string; limit: number }): Promise<MessageView[]> {
    await this.deps.sessions.load(principal, sessionId, 'read');
    const given = query.chatId ? resolveRecipient(query.chatId)?.jid : undefined;
    if (query.chatId && !given) throw new AppError('INVALID_RECIPIENT', `"${query.chatId}" is not a chat id.`, { field: 'querystring.chatId' });
    // A person's LID and phone number name the same chat.
    const chatId = given ? (await chatOf(this.deps.storage, sessionId, given)).chatId : undefined;
    const cursor = query.before ? await this.record(sessionId, query.before) : undefined;
    const records = await this.deps.storage.messages.list({
      sessionId,
      limit: query.limit,
      ...(chatId ? { chatId } : {}),
      ...(cursor ? { before: { timestamp: cursor.timestamp, id: cursor.id } } : {}),
    });
    return records.map(toView);
  }

  async downloadMedia(principal: Principal, sessionId: string, messageId: string): Promise<DownloadedMedia> {
    await this.deps.sessions.load(principal, sessionId, 'read');
    const record = await this.record(sessionId, messageId);
    if (!record.content.media?.downloadable || !record.raw) {
      throw new AppError('MEDIA_NOT_AVAILABLE', `Message "${messageId}" has no downloadable media.`);
    }
    const { engine } = await this.deps.live.get(principal, sessionId, 'read');
    return engine.downloadMedia(toRef(record));
  }

  async markRead(principal: Principal, sessionId: string, messageIds: string[]): Promise<number> {
    const markRead = await this.deps.live.feature(principal, sessionId, 'send', 'markRead');
    const records = await Promise.all(messageIds.map((id) => this.record(sessionId, id)));
    const incoming = records.filter((record) => !record.fromMe);
    if (incoming.length) await markRead(incoming.map(toRef));
    return incoming.length;
  }

  private async record(sessionId: string, messageId: string): Promise<MessageRecord> {
    const record = await this.deps.storage.messages.get(sessionId, messageId);
    if (!record) throw new AppError('MESSAGE_NOT_FOUND', `Message "${messageId}" not found in this session.`);
    return record;
  }

  private async ref(sessionId: string, messageId: string): Promise<MessageRef> {
    return toRef(await this.record(sessionId, messageId));
  }
}
