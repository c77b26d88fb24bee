import {
  isStatusAdvance,
  type MessageContent,
  type MessageRecord,
  type MessageStatus,
  type MessageType,
} from '../../domain/messages.ts';
import { sql } from 'kysely';
import type { MessageListQuery, MessageRepository, SentContent } from '../ports.ts';
import type { Db, Dialect, MessagesTable } from './database.ts';
import { fromJson, toJson, toMillis } from './json.ts';
import { ReusableQuery } from './reusable-query.ts';
import { storableText } from './text.ts';

function toMessage(row: MessagesTable): MessageRecord {
  return {
    sessionId: row.session_id,
    tenantId: row.tenant_id,
    id: row.id,
    chatId: row.chat_id,
    chatAltId: row.chat_alt_id,
    fromMe: Number(row.from_me) === 1,
    senderId: row.sender_id,
    senderAltId: row.sender_alt_id,
    type: row.type as MessageType,
    content: fromJson<MessageContent>(row.content),
    status: row.status as MessageStatus,
    statusReason: row.status_reason,
    timestamp: toMillis(row.timestamp),
    raw: row.raw,
    updatedAt: toMillis(row.updated_at),
  };
}

function toRow(message: MessageRecord): MessagesTable {
  return {
    session_id: message.sessionId,
    id: message.id,
    tenant_id: message.tenantId,
    chat_id: message.chatId,
    chat_alt_id: message.chatAltId,
    from_me: message.fromMe ? 1 : 0,
    sender_id: message.senderId,
    sender_alt_id: message.senderAltId,
    type: message.type,
    content: toJson(message.content),
    status: message.status,
    status_reason: storableText(message.statusReason),
    timestamp: message.timestamp,
    raw: message.raw,
    updated_at: message.updatedAt,
  };
}

/**
 * The stored row after a second sighting of a message: content from the newcomer, status only if
 * it is an advance (receipts arrive late or twice), and known alternate ids / raw never erased.
 */
function merge(stored: MessageRecord, incoming: MessageRecord): MessageRecord {
  const advance = isStatusAdvance(stored.status, incoming.status);
  return {
    ...incoming,
    chatAltId: incoming.chatAltId ?? stored.chatAltId,
    senderAltId: incoming.senderAltId ?? stored.senderAltId,
    raw: incoming.raw ?? stored.raw,
    status: advance ? incoming.status : stored.status,
    statusReason: advance ? incoming.statusReason : stored.statusReason,
  };
}

const MESSAGE_COLUMNS = [
  'session_id', 'id', 'tenant_id', 'chat_id', 'chat_alt_id', 'from_me', 'sender_id', 'sender_alt_id',
  'type', 'content', 'status', 'status_reason', 'timestamp', 'raw', 'updated_at',
] as const satisfies ReadonlyArray<keyof MessagesTable>;

type MessageKey = { sessionId: string; id: string };

const messageByKey = new ReusableQuery(['sessionId', 'id'], (db: Db, p: MessageKey) =>
  db.selectFrom('messages').selectAll().where('session_id', '=', p.sessionId).where('id', '=', p.id),
);

const insertMessageIfAbsent = new ReusableQuery(MESSAGE_COLUMNS, (db: Db, row: MessagesTable) =>
  db.insertInto('messages').values(row).onConflict((oc) => oc.columns(['session_id', 'id']).doNothing()),
);

type SentRow = MessageKey & Pick<MessagesTable, 'chat_id' | 'timestamp' | 'type' | 'content' | 'raw' | 'updated_at'>;
const markMessageSent = new ReusableQuery(['sessionId', 'id', 'chat_id', 'timestamp', 'type', 'content', 'raw', 'updated_at'], (db: Db, p: SentRow) => {
  // Only `queued` → `sent` is an advance; a receipt that came first (delivered, read) stays.
  const stillQueued = sql<boolean>`${sql.ref('status')} = ${'queued'}`;
  return db
    .updateTable('messages')
    .set({
      chat_id: p.chat_id,
      timestamp: p.timestamp,
      type: p.type,
      content: p.content,
      raw: sql<string | null>`coalesce(${p.raw}, ${sql.ref('raw')})`,
      status: sql<string>`case when ${stillQueued} then ${'sent'} else ${sql.ref('status')} end`,
      status_reason: sql<string | null>`case when ${stillQueued} then null else ${sql.ref('status_reason')} end`,
      updated_at: p.updated_at,
    })
    .where('session_id', '=', p.sessionId)
    .where('id', '=', p.id)
    .returningAll();
});

type StatusRow = MessageKey & Pick<MessagesTable, 'status' | 'status_reason' | 'updated_at'>;
const setMessageStatus = new ReusableQuery(['sessionId', 'id', 'status', 'status_reason', 'updated_at'], (db: Db, p: StatusRow) =>
  db.updateTable('messages').set({ status: p.status, status_reason: p.status_reason, updated_at: p.updated_at }).where('session_id', '=', p.sessionId).where('id', '=', p.id),
);
const setMessageStatusIf = new ReusableQuery(['sessionId', 'id', 'status', 'status_reason', 'updated_at', 'expected'], (db: Db, p: StatusRow & { expected: string }) =>
  db
    .updateTable('messages')
    .set({ status: p.status, status_reason: p.status_reason, updated_at: p.updated_at })
    .where('session_id', '=', p.sessionId)
    .where('id', '=', p.id)
    .where('status', '=', p.expected),
);

export class KyselyMessageRepository implements MessageRepository {
  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
  ) {}

  async upsert(message: MessageRecord): Promise<void> {
    if (this.db.isTransaction) return this.upsertIn(this.db, message);
    // Most messages are new: one atomic statement, no transaction (on SQLite, no extra commit).
    if (await this.insertIfAbsent(this.db, message)) return;
    await this.db.transaction().execute((trx) => this.upsertIn(trx, message));
  }

  async insertNew(message: MessageRecord): Promise<boolean> {
    return this.insertIfAbsent(this.db, message);
  }

  async markSent(sessionId: string, id: string, sent: SentContent, at: number): Promise<MessageRecord | undefined> {
    const row = await markMessageSent.executeTakeFirst(this.db, {
      sessionId, id, chat_id: sent.chatId, timestamp: sent.timestamp, type: sent.type, content: toJson(sent.content), raw: sent.raw, updated_at: at,
    });
    return row && toMessage(row);
  }

  private async insertIfAbsent(db: Db, message: MessageRecord): Promise<boolean> {
    return (await insertMessageIfAbsent.executeCount(db, toRow(message))) > 0;
  }

  /** Insert-if-absent, else read (row-locked on PostgreSQL), merge in code and write back. */
  private async upsertIn(db: Db, message: MessageRecord): Promise<void> {
    // Again inside the transaction: the row may have been deleted since the first attempt.
    if (await this.insertIfAbsent(db, message)) return;
    let select = db
      .selectFrom('messages')
      .selectAll()
      .where('session_id', '=', message.sessionId)
      .where('id', '=', message.id);
    // SQLite transactions are already exclusive (BEGIN IMMEDIATE); PostgreSQL needs the row lock.
    if (this.dialect === 'postgres') select = select.forUpdate();
    const stored = await select.executeTakeFirstOrThrow();
    const { session_id: _s, id: _i, ...values } = toRow(merge(toMessage(stored), message));
    await db
      .updateTable('messages')
      .set(values)
      .where('session_id', '=', message.sessionId)
      .where('id', '=', message.id)
      .execute();
  }

  async get(sessionId: string, id: string): Promise<MessageRecord | undefined> {
    const row = await messageByKey.executeTakeFirst(this.db, { sessionId, id });
    return row && toMessage(row);
  }

  /** Newest first; `id` breaks timestamp ties, and the (timestamp, id) cursor makes pages exact. */
  async list(query: MessageListQuery): Promise<MessageRecord[]> {
    let select = this.db.selectFrom('messages').selectAll().where('session_id', '=', query.sessionId);
    if (query.chatId !== undefined) select = select.where('chat_id', '=', query.chatId);
    const before = query.before;
    if (before !== undefined) {
      select = select.where((eb) =>
        eb.or([eb('timestamp', '<', before.timestamp), eb.and([eb('timestamp', '=', before.timestamp), eb('id', '<', before.id)])]),
      );
    }
    const rows = await select.orderBy('timestamp', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
    return rows.map(toMessage);
  }

  async setStatus(sessionId: string, id: string, status: MessageStatus, reason: string | null, at: number, expected?: MessageStatus): Promise<boolean> {
    const values = { sessionId, id, status, status_reason: storableText(reason), updated_at: at };
    const changed = expected ? await setMessageStatusIf.executeCount(this.db, { ...values, expected }) : await setMessageStatus.executeCount(this.db, values);
    return changed > 0;
  }

  async listQueued(sessionId: string, limit: number): Promise<MessageRecord[]> {
    const rows = await this.db
      .selectFrom('messages')
      .selectAll()
      .where('session_id', '=', sessionId)
      .where('status', '=', 'queued')
      .orderBy('timestamp')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toMessage);
  }

  async deleteBySession(sessionId: string): Promise<void> {
    await this.db.deleteFrom('messages').where('session_id', '=', sessionId).execute();
  }
}
