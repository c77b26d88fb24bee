/** Chats and contacts from wafleet's store; presence, number checks, profile and blocking through the engine. */
import type { Principal } from '../auth/principal.ts';
import type { ChatRecord, ContactRecord } from '../domain/messages.ts';
import type { ChatPresence, NumberCheck } from '../engines/features.ts';
import { normalizePhone } from '../domain/phone.ts';
import { AppError } from '../errors/app-error.ts';
import type { Page, Storage } from '../storage/ports.ts';
import type { SessionService } from '../sessions/session-service.ts';
import type { LiveSessions } from '../sessions/live-session.ts';
import { requireJid } from './jid-input.ts';
import type { NumberChecks } from './number-checks.ts';

type Paging = { limit: number; offset: number };

export class DirectoryService {
  constructor(
    private readonly storage: Storage,
    private readonly sessions: SessionService,
    private readonly live: LiveSessions,
    private readonly numberChecks?: NumberChecks,
  ) {}

  async chats(principal: Principal, sessionId: string, paging: Paging): Promise<Page<Omit<ChatRecord, 'sessionId'>>> {
    await this.sessions.load(principal, sessionId, 'read');
    const page = await this.storage.chats.list(sessionId, paging.limit, paging.offset);
    return { total: page.total, items: page.items.map(({ sessionId: _s, ...chat }) => chat) };
  }

  async contacts(principal: Principal, sessionId: string, paging: Paging): Promise<Page<Omit<ContactRecord, 'sessionId'>>> {
    await this.sessions.load(principal, sessionId, 'read');
    const page = await this.storage.contacts.list(sessionId, paging.limit, paging.offset);
    return { total: page.total, items: page.items.map(({ sessionId: _s, ...contact }) => contact) };
  }

  async checkNumbers(principal: Principal, sessionId: string, phones: string[]): Promise<NumberCheck[]> {
    const digits = phones.map((phone, index) => {
      const normalized = normalizePhone(phone);
      if (!normalized) throw new AppError('INVALID_PHONE_NUMBER', `phones[${index}] "${phone}" is not an international phone number.`, { field: `body.phones.${index}` });
      return normalized;
    });
    const check = await this.live.feature(principal, sessionId, 'read', 'checkNumbers');
    return this.numberChecks ? this.numberChecks.check(sessionId, digits, check) : check(digits);
  }

  async sendPresence(principal: Principal, sessionId: string, presence: ChatPresence, chatId?: string): Promise<void> {
    const jid = chatId ? requireJid(chatId, 'body.chatId') : undefined;
    if (!jid && presence !== 'available' && presence !== 'unavailable') {
      throw new AppError('VALIDATION_FAILED', `Presence "${presence}" is shown in a chat: give "chatId".`, { field: 'body.chatId' });
    }
    await (await this.live.feature(principal, sessionId, 'send', 'sendPresence'))(presence, jid);
  }

  async subscribePresence(principal: Principal, sessionId: string, chatId: string): Promise<void> {
    await (await this.live.feature(principal, sessionId, 'read', 'subscribePresence'))(requireJid(chatId, 'body.chatId', ['user', 'lid']));
  }

  async profilePicture(principal: Principal, sessionId: string, jid: string): Promise<string | null> {
    return (await this.live.feature(principal, sessionId, 'read', 'profilePictureUrl'))(requireJid(jid, 'params.jid'));
  }

  async statusText(principal: Principal, sessionId: string, jid: string): Promise<string | null> {
    return (await this.live.feature(principal, sessionId, 'read', 'fetchStatusText'))(requireJid(jid, 'params.jid', ['user', 'lid']));
  }

  async setProfilePicture(principal: Principal, sessionId: string, image: Buffer): Promise<void> {
    await (await this.live.feature(principal, sessionId, 'manage', 'setProfilePicture'))(image);
  }

  async setStatusText(principal: Principal, sessionId: string, text: string): Promise<void> {
    await (await this.live.feature(principal, sessionId, 'manage', 'setStatusText'))(text);
  }

  async setBlocked(principal: Principal, sessionId: string, jid: string, blocked: boolean): Promise<void> {
    await (await this.live.feature(principal, sessionId, 'manage', 'setBlocked'))(requireJid(jid, 'params.jid', ['user', 'lid']), blocked);
  }
}
