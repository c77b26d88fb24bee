/**
 * Stores what engines report about messages — the message, its chat, its status — together with
 * the event that describes it, in one transaction, then hands the events on.
 */
import type { EventRecord, SessionRecord } from '../domain/records.ts';
import { isStatusAdvance, type ContactRecord, type MessageRecord } from '../domain/messages.ts';
import type { MessageStatusUpdate, NormalizedMessage } from '../engines/messaging.ts';
import type { Repositories, Storage } from '../storage/ports.ts';
import type { Clock } from '../clock.ts';
import { sessionEvent, type EventPublisher } from '../sessions/session-events.ts';

type SessionRef = Pick<SessionRecord, 'id' | 'tenantId'>;

const EVENT_BY_TYPE: Partial<Record<MessageRecord['type'], string>> = {
  reaction: 'message.reaction',
  edit: 'message.edited',
  revoke: 'message.revoked',
};

/** What consumers see of a message: everything but the engine's raw blob. */
export function messagePayload(message: MessageRecord): Record<string, unknown> {
  const { raw: _raw, sessionId: _session, tenantId: _tenant, ...rest } = message;
  return rest;
}

export class MessageRecorder {
  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    private readonly newId: () => string,
    private readonly publish: EventPublisher,
  ) {}

  async message(session: SessionRef, normalized: NormalizedMessage): Promise<void> {
    const now = this.clock.now();
    const record: MessageRecord = { ...normalized, sessionId: session.id, tenantId: session.tenantId, statusReason: null, updatedAt: now };
    const events = await this.storage.transaction(async (repos) => {
      const existing = await repos.messages.get(session.id, record.id);
      await repos.messages.upsert(record);
      await repos.chats.upsert({ sessionId: session.id, chatId: record.chatId, name: null, lastMessageAt: record.timestamp, lastMessageId: record.id });
      // Our own API sends come back from the engine as an echo: already stored and announced.
      if (existing && record.fromMe) return [];
      const type = EVENT_BY_TYPE[record.type] ?? (record.fromMe ? 'message.sent' : 'message.received');
      const batch = [sessionEvent(this.newId, now, session, type, messagePayload(record))];
      await repos.events.append(batch);
      return batch;
    });
    this.publish(events);
  }

  async status(session: SessionRef, update: MessageStatusUpdate): Promise<void> {
    const now = this.clock.now();
    const events = await this.storage.transaction(async (repos) => {
      const message = await repos.messages.get(session.id, update.id);
      if (!message || !isStatusAdvance(message.status, update.status)) return [];
      await repos.messages.setStatus(session.id, update.id, update.status, null, now);
      const payload = { id: update.id, chatId: message.chatId, chatAltId: message.chatAltId, status: update.status, previous: message.status, ...(update.participant ? { participant: update.participant } : {}) };
      const batch = [sessionEvent(this.newId, now, session, 'message.ack', payload)];
      await repos.events.append(batch);
      return batch;
    });
    this.publish(events);
  }

  async contacts(session: SessionRef, contacts: Array<Omit<ContactRecord, 'sessionId' | 'updatedAt'>>): Promise<void> {
    const now = this.clock.now();
    const valid = contacts.filter((contact) => contact.id);
    if (valid.length) await this.storage.contacts.upsertMany(valid.map((contact) => ({ ...contact, sessionId: session.id, updatedAt: now })));
  }

  /** Records an outbound message sent through the API, with the event for it. */
  async outbound(record: MessageRecord, events: EventRecord[], also?: (repos: Repositories) => Promise<unknown>): Promise<void> {
    await this.storage.transaction(async (repos) => {
      await repos.messages.upsert(record);
      // e.g. the queue row leaves in the same commit, so a crash cannot leave a sent message queued.
      if (also) await also(repos);
      await repos.chats.upsert({ sessionId: record.sessionId, chatId: record.chatId, name: null, lastMessageAt: record.timestamp, lastMessageId: record.id });
      await repos.events.append(events);
    });
    this.publish(events);
  }
}
