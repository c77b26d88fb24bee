import type { ChatRecord } from '../../domain/messages.ts';
import type { ChatRepository, Page } from '../ports.ts';
import type { ChatsTable, Db } from './database.ts';
import { toMillis } from './json.ts';
import { ReusableQuery } from './reusable-query.ts';
import { storableText } from './text.ts';

function toChat(row: ChatsTable): ChatRecord {
  return {
    sessionId: row.session_id,
    chatId: row.chat_id,
    name: row.name,
    lastMessageAt: toMillis(row.last_message_at),
    lastMessageId: row.last_message_id,
  };
}

/**
 * One atomic statement. The last message moves only forward in time (an older message arriving
 * late, e.g. from history sync, does not replace it); at an equal time a known id is kept. A null
 * name keeps the stored one.
 */
const upsertChat = new ReusableQuery(['session_id', 'chat_id', 'name', 'last_message_at', 'last_message_id'], (db: Db, row: ChatsTable) =>
  db
    .insertInto('chats')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['session_id', 'chat_id']).doUpdateSet((eb) => {
          const newer = eb('excluded.last_message_at', '>', eb.ref('chats.last_message_at'));
          return {
            name: eb.fn.coalesce('excluded.name', 'chats.name'),
            last_message_id: eb
              .case()
              .when(newer)
              .then(eb.ref('excluded.last_message_id'))
              .when('excluded.last_message_at', '=', eb.ref('chats.last_message_at'))
              .then(eb.fn.coalesce('chats.last_message_id', 'excluded.last_message_id'))
              .else(eb.ref('chats.last_message_id'))
              .end(),
            last_message_at: eb
              .case()
              .when(newer)
              .then(eb.ref('excluded.last_message_at'))
              .else(eb.ref('chats.last_message_at'))
              .end(),
          };
        }),
      ),
);

export class KyselyChatRepository implements ChatRepository {
  constructor(private readonly db: Db) {}

  /** See upsertChat. */
  async upsert(chat: ChatRecord): Promise<void> {
    await upsertChat.execute(this.db, {
      session_id: chat.sessionId,
      chat_id: chat.chatId,
      name: storableText(chat.name),
      last_message_at: chat.lastMessageAt,
      last_message_id: chat.lastMessageId,
    });
  }

  async get(sessionId: string, chatId: string): Promise<ChatRecord | undefined> {
    const row = await this.db
      .selectFrom('chats')
      .selectAll()
      .where('session_id', '=', sessionId)
      .where('chat_id', '=', chatId)
      .executeTakeFirst();
    return row && toChat(row);
  }

  /** Most recent activity first; chat id breaks ties so pages are stable. */
  async list(sessionId: string, limit: number, offset: number): Promise<Page<ChatRecord>> {
    const base = this.db.selectFrom('chats').where('session_id', '=', sessionId);
    const [rows, counted] = await Promise.all([
      base.selectAll().orderBy('last_message_at', 'desc').orderBy('chat_id').limit(limit).offset(offset).execute(),
      base.select((eb) => eb.fn.countAll<number | string>().as('total')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toChat), total: Number(counted.total) };
  }

  async deleteBySession(sessionId: string): Promise<void> {
    await this.db.deleteFrom('chats').where('session_id', '=', sessionId).execute();
  }
}
