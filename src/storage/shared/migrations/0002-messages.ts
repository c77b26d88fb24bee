/**
 * Messages, chats and contacts of a session. Append-only, like every migration.
 * Every table is keyed by (session_id, …) and cascades with its session, as auth_state does:
 * deleting a session leaves no orphaned history behind, and the primary keys lead with
 * session_id, so the cascade and deleteBySession use an index.
 */
import type { Kysely, Migration } from 'kysely';

export function messagesSchema(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('messages')
        .addColumn('session_id', 'text', (col) => col.notNull().references('sessions.id').onDelete('cascade'))
        .addColumn('id', 'text', (col) => col.notNull())
        .addColumn('tenant_id', 'text', (col) => col.notNull())
        .addColumn('chat_id', 'text', (col) => col.notNull())
        .addColumn('chat_alt_id', 'text')
        // 0/1 rather than boolean: SQLite has no boolean type, and one row shape serves both drivers.
        .addColumn('from_me', 'integer', (col) => col.notNull())
        .addColumn('sender_id', 'text')
        .addColumn('sender_alt_id', 'text')
        .addColumn('type', 'text', (col) => col.notNull())
        .addColumn('content', 'text', (col) => col.notNull())
        .addColumn('status', 'text', (col) => col.notNull())
        .addColumn('status_reason', 'text')
        .addColumn('timestamp', 'bigint', (col) => col.notNull())
        .addColumn('raw', 'text')
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .addPrimaryKeyConstraint('messages_pk', ['session_id', 'id'])
        .execute();
      // A chat's history, newest first, paged with `before`.
      await db.schema.createIndex('messages_chat_idx').on('messages').columns(['session_id', 'chat_id', 'timestamp']).execute();
      // A session's history across chats (list without chatId), same order.
      await db.schema.createIndex('messages_time_idx').on('messages').columns(['session_id', 'timestamp']).execute();
      // listQueued: filter and oldest-first order from one index.
      await db.schema.createIndex('messages_status_idx').on('messages').columns(['session_id', 'status', 'timestamp']).execute();

      await db.schema
        .createTable('chats')
        .addColumn('session_id', 'text', (col) => col.notNull().references('sessions.id').onDelete('cascade'))
        .addColumn('chat_id', 'text', (col) => col.notNull())
        .addColumn('name', 'text')
        .addColumn('last_message_at', 'bigint', (col) => col.notNull())
        .addColumn('last_message_id', 'text')
        .addPrimaryKeyConstraint('chats_pk', ['session_id', 'chat_id'])
        .execute();
      await db.schema.createIndex('chats_recent_idx').on('chats').columns(['session_id', 'last_message_at']).execute();

      await db.schema
        .createTable('contacts')
        .addColumn('session_id', 'text', (col) => col.notNull().references('sessions.id').onDelete('cascade'))
        .addColumn('id', 'text', (col) => col.notNull())
        .addColumn('phone_jid', 'text')
        .addColumn('lid', 'text')
        .addColumn('name', 'text')
        .addColumn('notify', 'text')
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .addPrimaryKeyConstraint('contacts_pk', ['session_id', 'id'])
        .execute();
    },
  };
}
