/**
 * Stores what engines report about messages — the message, its chat, its status — together with
 * the event that describes it, in one transaction, then hands the events on.
 */
import type { EventRecord, SessionRecord } from '../domain/records.ts';
import { isStatusAdvance, type ContactRecord, type MessageRecord } from '../domain/messages.ts';
import type { MessageStatusUpdate, NormalizedMessage } from '../engines/messaging.ts';
import type { Repositories, SentContent, Storage } from '../storage/ports.ts';
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
      // Most messages are new: the insert tells, and only a second sighting merges into the stored row.
      const existing = !(await repos.messages.insertNew(record));
      if (existing) await repos.messages.upsert(record);
      await repos.chats.upsert({ sessionId: session.id, chatId: record.chatId, name: null, lastMessageAt: record.timestamp, lastMessageId: record.id });
      // A message this account sent and wafleet already stored (e.g. an API send seen again): already announced.
      if (existing && record.fromMe) return [];
      const type = EVENT_BY_TYPE[record.type] ?? (record.fromMe ? 'message.sent' : 'message.received');
      const batch = [sessionEvent(this.newId, now, session, type, messagePayload(record))];
      await repos.events.append(batch);
      return batch;
    });
    this.publish(events);
  }

  async status(session: SessionRef, update: MessageStatusUpdate): Promise<void> {
    // Most receipts change nothing (a second "sent", a late "delivered"): read first, write only on an
    // advance, conditional on the status read, and read again if another receipt moved it meanwhile.
    for (let attempt = 0; attempt < 3; attempt++) {
      const message = await this.storage.messages.get(session.id, update.id);
      if (!message || !isStatusAdvance(message.status, update.status)) return;
      const now = this.clock.now();
      const events = await this.storage.transaction(async (repos) => {
        if (!(await repos.messages.setStatus(session.id, update.id, update.status, null, now, message.status))) return undefined;
        const payload = { id: update.id, chatId: message.chatId, chatAltId: message.chatAltId, status: update.status, previous: message.status, ...(update.participant ? { participant: update.participant } : {}) };
        const batch = [sessionEvent(this.newId, now, session, 'message.ack', payload)];
        await repos.events.append(batch);
        return batch;
      });
      if (events) {
        this.publish(events);
        return;
      }
    }
  }

  async contacts(session: SessionRef, contacts: Array<Omit<ContactRecord, 'sessionId' | 'updatedAt'>>): Promise<void> {
    const now = this.clock.now();
    const valid = contacts.filter((contact) => contact.id);
    if (valid.length) await this.storage.contacts.upsertMany(valid.map((contact) => ({ ...contact, sessionId: session.id, updatedAt: now })));
  }

  /**
   * An API send WhatsApp took: the stored message becomes sent, with its event, in one transaction.
   * `also` runs in the same transaction (the queue row leaves with it, so a crash cannot leave a sent
   * message queued). Returns the message as stored, or undefined when it was deleted meanwhile.
   */
  async sent(session: SessionRef, messageId: string, sent: SentContent, also: (repos: Repositories) => Promise<unknown>): Promise<MessageRecord | undefined> {
    const now = this.clock.now();
    const { record, events } = await this.storage.transaction(async (repos) => {
      const marked = await repos.messages.markSent(session.id, messageId, sent, now);
      await also(repos);
      if (!marked) return { record: undefined, events: [] };
      await repos.chats.upsert({ sessionId: session.id, chatId: marked.chatId, name: null, lastMessageAt: marked.timestamp, lastMessageId: marked.id });
      const batch = [sessionEvent(this.newId, now, session, 'message.sent', messagePayload(marked))];
      await repos.events.append(batch);
      return { record: marked, events: batch };
    });
    this.publish(events);
    return record;
  }

  /** Records an outbound message the API accepted but WhatsApp did not take, with its event. */
  async failed(record: MessageRecord, events: EventRecord[], also: (repos: Repositories) => Promise<unknown>): Promise<void> {
    await this.storage.transaction(async (repos) => {
      await repos.messages.upsert(record);
      await also(repos);
      await repos.chats.upsert({ sessionId: record.sessionId, chatId: record.chatId, name: null, lastMessageAt: record.timestamp, lastMessageId: record.id });
      await repos.events.append(events);
    });
    this.publish(events);
  }
}
