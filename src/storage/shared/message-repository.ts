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
    // Only `queued` → `sent` is an advance; a receipt that came first (delivered, read) stays.
    const stillQueued = sql<boolean>`${sql.ref('status')} = ${'queued'}`;
    const row = await this.db
      .updateTable('messages')
      .set({
        chat_id: sent.chatId,
        timestamp: sent.timestamp,
        type: sent.type,
        content: toJson(sent.content),
        raw: sql<string | null>`coalesce(${sent.raw}, ${sql.ref('raw')})`,
        status: sql<string>`case when ${stillQueued} then ${'sent'} else ${sql.ref('status')} end`,
        status_reason: sql<string | null>`case when ${stillQueued} then null else ${sql.ref('status_reason')} end`,
        updated_at: at,
      })
      .where('session_id', '=', sessionId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row && toMessage(row);
  }

  private async insertIfAbsent(db: Db, message: MessageRecord): Promise<boolean> {
    const inserted = await db
      .insertInto('messages')
      .values(toRow(message))
      .onConflict((oc) => oc.columns(['session_id', 'id']).doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0;
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
    const row = await this.db
      .selectFrom('messages')
      .selectAll()
      .where('session_id', '=', sessionId)
      .where('id', '=', id)
      .executeTakeFirst();
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
    let update = this.db
      .updateTable('messages')
      .set({ status, status_reason: storableText(reason), updated_at: at })
      .where('session_id', '=', sessionId)
      .where('id', '=', id);
    if (expected) update = update.where('status', '=', expected);
    const result = await update.executeTakeFirst();
    return result.numUpdatedRows > 0n;
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
