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
import type { PersonAddresses } from '../domain/jid.ts';
import { AddressBook, isPersonJid } from './address-book.ts';

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
  private readonly addresses = new AddressBook();

  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    private readonly newId: () => string,
    private readonly publish: EventPublisher,
  ) {}

  async message(session: SessionRef, normalized: NormalizedMessage): Promise<void> {
    const now = this.clock.now();
    const learned: PersonAddresses[] = [];
    const events = await this.storage.transaction(async (repos) => {
      const record: MessageRecord = { ...(await this.filed(repos, session.id, normalized, now, learned)), sessionId: session.id, tenantId: session.tenantId, statusReason: null, updatedAt: now };
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
    this.addresses.remember(session.id, learned);
    this.publish(events);
  }

  /**
   * The message filed under its person's canonical address (one chat per person, whichever address
   * WhatsApp used), the sender too. A pair the message carries is linked in the store. For our own
   * messages the engine's alternate address may be ours rather than the peer's (Baileys takes it from
   * the sender's attributes), so only the store's knowledge is used for them.
   */
  private async filed(repos: Repositories, sessionId: string, message: NormalizedMessage, at: number, learned: PersonAddresses[]): Promise<NormalizedMessage> {
    if (isPersonJid(message.chatId)) {
      const chat = await this.addresses.person(repos, sessionId, message.fromMe ? [message.chatId] : [message.chatId, message.chatAltId], at, learned);
      if (!chat) return message;
      const sender = message.senderId ? { senderId: chat.id, senderAltId: chat.alt } : {};
      return { ...message, chatId: chat.id, chatAltId: chat.alt, ...sender };
    }
    if (!message.senderId || !isPersonJid(message.senderId)) return message;
    const sender = await this.addresses.person(repos, sessionId, [message.senderId, message.senderAltId], at, learned);
    return sender ? { ...message, senderId: sender.id, senderAltId: sender.alt } : message;
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

  /**
   * Contacts as the engine reports them, each filed under its person's canonical address; one that
   * names both addresses links them (the LID's chat and contact merge into the phone ones).
   */
  async contacts(session: SessionRef, contacts: Array<Omit<ContactRecord, 'sessionId' | 'updatedAt'>>): Promise<void> {
    const now = this.clock.now();
    const valid = contacts.filter((contact) => contact.id);
    if (valid.length === 0) return;
    const learned: PersonAddresses[] = [];
    await this.storage.transaction(async (repos) => {
      const filed: ContactRecord[] = [];
      for (const contact of valid) {
        const person = isPersonJid(contact.id) ? await this.addresses.person(repos, session.id, [contact.id, contact.phoneJid, contact.lid], now, learned) : undefined;
        const addresses = person ? { id: person.id, phoneJid: person.person.phoneJid, lid: person.person.lid } : {};
        filed.push({ ...contact, ...addresses, sessionId: session.id, updatedAt: now });
      }
      await repos.contacts.upsertMany(filed);
    });
    this.addresses.remember(session.id, learned);
  }

  /**
   * An API send WhatsApp took: the stored message becomes sent, with its event, in one transaction.
   * `also` runs in the same transaction (the queue row leaves with it, so a crash cannot leave a sent
   * message queued). Returns the message as stored, or undefined when it was deleted meanwhile.
   */
  async sent(session: SessionRef, messageId: string, sent: SentContent, also: (repos: Repositories) => Promise<unknown>): Promise<MessageRecord | undefined> {
    const now = this.clock.now();
    const learned: PersonAddresses[] = [];
    const { record, events } = await this.storage.transaction(async (repos) => {
      // The engine answers with the address it sent to; the chat stays the person's canonical one.
      const chat = isPersonJid(sent.chatId) ? await this.addresses.person(repos, session.id, [sent.chatId], now, learned) : undefined;
      const marked = await repos.messages.markSent(session.id, messageId, chat ? { ...sent, chatId: chat.id } : sent, now);
      await also(repos);
      if (!marked) return { record: undefined, events: [] };
      await repos.chats.upsert({ sessionId: session.id, chatId: marked.chatId, name: null, lastMessageAt: marked.timestamp, lastMessageId: marked.id });
      const batch = [sessionEvent(this.newId, now, session, 'message.sent', messagePayload(marked))];
      await repos.events.append(batch);
      return { record: marked, events: batch };
    });
    this.addresses.remember(session.id, learned);
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
