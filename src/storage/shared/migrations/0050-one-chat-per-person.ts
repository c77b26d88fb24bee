/**
 * One chat and one contact per person. Until now a person WhatsApp addressed by LID one time and by
 * phone number another had two chats (`…@lid` and `…@s.whatsapp.net`) and two contacts. This files
 * every person whose two addresses the store already knows (a contact with both, or a message that
 * carried both) under the phone JID: the LID chat's messages move to the phone chat, its last message
 * is recomputed from them, group messages by that LID name the phone JID as sender, and the contacts
 * merge. No message is deleted. Indexes for finding a person by LID and a sender's messages.
 *
 * Self-contained on purpose (no repository code): a migration must do tomorrow what it did today.
 * Append-only, like every migration.
 */
import type { Kysely, Migration } from 'kysely';
import type { Database } from '../database.ts';

/** Typed by today's tables (the ones this migration touches are as 0002 made them). */
type Db = Kysely<Database>;
interface Pair {
  session: string;
  lid: string;
  phone: string;
}

const LID = /^[0-9]+@lid$/;
const PHONE = /^[0-9]+@s\.whatsapp\.net$/;

function pairOf(session: string, a: string | null, b: string | null): Pair | undefined {
  if (!a || !b) return undefined;
  if (LID.test(a) && PHONE.test(b)) return { session, lid: a, phone: b };
  if (PHONE.test(a) && LID.test(b)) return { session, lid: b, phone: a };
  return undefined;
}

async function knownPairs(db: Db): Promise<Pair[]> {
  const found = new Map<string, Pair>();
  const add = (pair: Pair | undefined) => {
    const key = pair && `${pair.session}\u0000${pair.lid}`;
    if (pair && key && !found.has(key)) found.set(key, pair);
  };
  // Contacts first: when a LID was seen with two numbers (a number change), the contact's pairing wins.
  const contacts = await db.selectFrom('contacts').select(['session_id', 'lid', 'phone_jid']).where('lid', 'is not', null).where('phone_jid', 'is not', null).execute();
  for (const row of contacts) add(pairOf(row.session_id, row.lid, row.phone_jid));
  const chats = await db.selectFrom('messages').select(['session_id', 'chat_id', 'chat_alt_id']).distinct().where('chat_alt_id', 'is not', null).execute();
  for (const row of chats) add(pairOf(row.session_id, row.chat_id, row.chat_alt_id));
  const senders = await db.selectFrom('messages').select(['session_id', 'sender_id', 'sender_alt_id']).distinct().where('sender_alt_id', 'is not', null).execute();
  for (const row of senders) add(pairOf(row.session_id, row.sender_id, row.sender_alt_id));
  return [...found.values()];
}

async function mergeContacts(db: Db, { session, lid, phone }: Pair): Promise<void> {
  const rows = await db.selectFrom('contacts').selectAll().where('session_id', '=', session).where('id', 'in', [lid, phone]).execute();
  const phoneRow = rows.find((row) => row.id === phone);
  const lidRow = rows.find((row) => row.id === lid);
  const merged = {
    phone_jid: phone,
    lid,
    name: phoneRow?.name ?? lidRow?.name ?? null,
    notify: phoneRow?.notify ?? lidRow?.notify ?? null,
    updated_at: Math.max(Number(phoneRow?.updated_at ?? 0), Number(lidRow?.updated_at ?? 0)),
  };
  if (phoneRow) await db.updateTable('contacts').set(merged).where('session_id', '=', session).where('id', '=', phone).execute();
  else await db.insertInto('contacts').values({ session_id: session, id: phone, ...merged }).execute();
  if (lidRow) await db.deleteFrom('contacts').where('session_id', '=', session).where('id', '=', lid).execute();
}

async function moveMessages(db: Db, { session, lid, phone }: Pair): Promise<void> {
  const messages = () => db.updateTable('messages').where('session_id', '=', session);
  await messages().set({ chat_id: phone, chat_alt_id: lid }).where('chat_id', '=', lid).execute();
  await messages().set({ chat_alt_id: lid }).where('chat_id', '=', phone).where('chat_alt_id', 'is', null).execute();
  await messages().set({ sender_id: phone, sender_alt_id: lid }).where('sender_id', '=', lid).execute();
  await messages().set({ sender_alt_id: lid }).where('sender_id', '=', phone).where('sender_alt_id', 'is', null).execute();
}

async function mergeChats(db: Db, { session, lid, phone }: Pair): Promise<void> {
  const rows = await db.selectFrom('chats').selectAll().where('session_id', '=', session).where('chat_id', 'in', [lid, phone]).execute();
  const lidChat = rows.find((row) => row.chat_id === lid);
  if (!lidChat) return;
  const phoneChat = rows.find((row) => row.chat_id === phone);
  await db.deleteFrom('chats').where('session_id', '=', session).where('chat_id', '=', lid).execute();
  const last = await db
    .selectFrom('messages')
    .select(['id', 'timestamp'])
    .where('session_id', '=', session)
    .where('chat_id', '=', phone)
    .orderBy('timestamp', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const newer = !phoneChat || Number(lidChat.last_message_at) > Number(phoneChat.last_message_at) ? lidChat : phoneChat;
  const values = {
    name: phoneChat?.name ?? lidChat.name,
    last_message_at: last ? Number(last.timestamp) : Number(newer.last_message_at),
    last_message_id: last ? last.id : newer.last_message_id,
  };
  if (phoneChat) await db.updateTable('chats').set(values).where('session_id', '=', session).where('chat_id', '=', phone).execute();
  else await db.insertInto('chats').values({ session_id: session, chat_id: phone, ...values }).execute();
}

export function oneChatPerPersonSchema(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // Finding a person by LID (contacts) and re-filing a sender's group messages (messages).
      await db.schema.createIndex('contacts_lid_idx').ifNotExists().on('contacts').columns(['session_id', 'lid']).execute();
      await db.schema.createIndex('messages_sender_idx').ifNotExists().on('messages').columns(['session_id', 'sender_id']).execute();
      const typed = db as Db;
      for (const pair of await knownPairs(typed)) {
        await mergeContacts(typed, pair);
        await moveMessages(typed, pair);
        await mergeChats(typed, pair);
      }
    },
  };
}
