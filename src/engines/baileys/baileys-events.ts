/** Subscribes to a Baileys socket's events and reports them as normalized EngineEvents. */
import { jidNormalizedUser, type Contact, type WASocket } from 'baileys';
import type { EngineEvent } from '../engine.ts';
import type { MessageStatus } from '../../domain/messages.ts';
import { normalizeMessage } from './inbound-mapper.ts';

/** proto.WebMessageInfo.Status → wafleet status (ERROR, PENDING, SERVER_ACK, DELIVERY_ACK, READ, PLAYED). */
const STATUS_BY_CODE: Record<number, MessageStatus | undefined> = { 0: 'failed', 2: 'sent', 3: 'delivered', 4: 'read', 5: 'played' };

export function statusFromBaileys(code: number | null | undefined): MessageStatus | undefined {
  return code === null || code === undefined ? undefined : STATUS_BY_CODE[code];
}

function toContact(contact: Partial<Contact>) {
  const id = contact.id ? jidNormalizedUser(contact.id) : '';
  return {
    id,
    phoneJid: contact.phoneNumber ? jidNormalizedUser(contact.phoneNumber) : id.endsWith('@s.whatsapp.net') ? id : null,
    lid: contact.lid ? jidNormalizedUser(contact.lid) : id.endsWith('@lid') ? id : null,
    name: contact.name ?? null,
    notify: contact.notify ?? null,
  };
}

export interface BaileysEventHooks {
  onUndecryptable(): void;
  /** True (once) for the echo Baileys emits of a message sent through EngineSession.sendMessage. */
  isEchoOfOwnSend(messageId: string): boolean;
}

export function wireBaileysEvents(sock: WASocket, emit: (event: EngineEvent) => void, hooks: BaileysEventHooks): void {
  sock.ev.on('messages.upsert', ({ messages }) => {
    for (const message of messages) {
      if (message.messageStubType === 2 /* CIPHERTEXT: could not decrypt */) hooks.onUndecryptable();
      const normalized = normalizeMessage(message);
      // sendMessage's caller records the message it returns; storing its echo again costs a transaction.
      const echo = normalized?.fromMe === true && hooks.isEchoOfOwnSend(normalized.id);
      if (normalized && !echo) emit({ type: 'message', message: normalized });
      // On a fast link a receipt can land while Baileys still buffers our own message, and arrive
      // merged into the upsert instead of as a messages.update.
      const status = statusFromBaileys(message.status);
      if (normalized?.fromMe && status && status !== 'sent') {
        emit({ type: 'message_status', update: { id: normalized.id, chatId: normalized.chatId, status } });
      }
    }
  });
  sock.ev.on('messages.update', (updates) => {
    for (const { key, update } of updates) {
      const status = statusFromBaileys(update.status);
      if (status && key.id && key.remoteJid) {
        emit({ type: 'message_status', update: { id: key.id, chatId: jidNormalizedUser(key.remoteJid), status } });
      }
    }
  });
  sock.ev.on('message-receipt.update', (receipts) => {
    for (const { key, receipt } of receipts) {
      if (!key.id || !key.remoteJid || !receipt.userJid) continue;
      const status: MessageStatus = receipt.readTimestamp ? 'read' : 'delivered';
      emit({ type: 'message_status', update: { id: key.id, chatId: jidNormalizedUser(key.remoteJid), status, participant: jidNormalizedUser(receipt.userJid) } });
    }
  });
  sock.ev.on('contacts.upsert', (contacts) => emit({ type: 'contacts', contacts: contacts.map(toContact) }));
  sock.ev.on('contacts.update', (contacts) => emit({ type: 'contacts', contacts: contacts.filter((c) => c.id).map(toContact) }));
  sock.ev.on('presence.update', ({ id, presences }) => {
    for (const [participant, data] of Object.entries(presences)) {
      emit({
        type: 'event',
        name: 'presence.update',
        payload: { chatId: jidNormalizedUser(id), participant: jidNormalizedUser(participant), presence: data.lastKnownPresence, ...(data.lastSeen ? { lastSeen: data.lastSeen * 1000 } : {}) },
      });
    }
  });
  sock.ev.on('group-participants.update', (update) => {
    emit({
      type: 'event',
      name: 'group.participants',
      payload: {
        groupId: update.id,
        action: update.action,
        author: update.author ? jidNormalizedUser(update.author) : null,
        participants: update.participants.map((p) => ({ id: jidNormalizedUser(p.id), phoneJid: p.phoneNumber ?? null, lid: p.lid ?? null })),
      },
    });
  });
  sock.ev.on('groups.update', (updates) => {
    for (const update of updates) {
      emit({ type: 'event', name: 'group.updated', payload: { groupId: update.id, ...(update.subject ? { subject: update.subject } : {}), ...(update.desc !== undefined ? { description: update.desc } : {}), ...(update.announce !== undefined ? { announce: update.announce } : {}), ...(update.restrict !== undefined ? { restrict: update.restrict } : {}) } });
    }
  });
  sock.ev.on('call', (calls) => {
    for (const call of calls) {
      emit({ type: 'event', name: 'call.received', payload: { callId: call.id, from: jidNormalizedUser(call.from), status: call.status, isVideo: Boolean(call.isVideo), isGroup: Boolean(call.isGroup) } });
    }
  });
}
