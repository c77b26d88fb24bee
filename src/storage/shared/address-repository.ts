import type { PersonAddresses } from '../../domain/jid.ts';
import type { AddressRepository } from '../ports.ts';
import { atomically } from './atomically.ts';
import type { Db } from './database.ts';

export class KyselyAddressRepository implements AddressRepository {
  constructor(private readonly db: Db) {}

  async find(sessionId: string, jid: string): Promise<PersonAddresses | undefined> {
    const rows = await this.db
      .selectFrom('contacts')
      .select(['id', 'lid', 'phone_jid'])
      .where('session_id', '=', sessionId)
      .where((eb) => eb.or([eb('id', '=', jid), eb('lid', '=', jid), eb('phone_jid', '=', jid)]))
      .execute();
    if (rows.length === 0) return undefined;
    // The linked row (both addresses) says the most; a lone LID row adds nothing beyond the input.
    const linked = rows.find((row) => row.lid !== null && row.phone_jid !== null);
    const row = linked ?? rows[0]!;
    return { lid: row.lid, phoneJid: row.phone_jid };
  }

  async link(sessionId: string, person: { lid: string; phoneJid: string }, at: number): Promise<void> {
    await atomically(this.db, (db) => linkPerson(db, sessionId, person, at));
  }
}

async function linkPerson(db: Db, sessionId: string, { lid, phoneJid }: { lid: string; phoneJid: string }, at: number): Promise<void> {
  await mergeContacts(db, sessionId, lid, phoneJid, at);
  const messages = db.updateTable('messages').where('session_id', '=', sessionId);
  await messages.set({ chat_id: phoneJid, chat_alt_id: lid }).where('chat_id', '=', lid).execute();
  await messages.set({ chat_alt_id: lid }).where('chat_id', '=', phoneJid).where('chat_alt_id', 'is', null).execute();
  await messages.set({ sender_id: phoneJid, sender_alt_id: lid }).where('sender_id', '=', lid).execute();
  await messages.set({ sender_alt_id: lid }).where('sender_id', '=', phoneJid).where('sender_alt_id', 'is', null).execute();
  await mergeChats(db, sessionId, lid, phoneJid);
}

/** The phone contact keeps its own fields and takes the ones it lacks from the LID contact, which goes. */
async function mergeContacts(db: Db, sessionId: string, lid: string, phoneJid: string, at: number): Promise<void> {
  const rows = await db.selectFrom('contacts').selectAll().where('session_id', '=', sessionId).where('id', 'in', [lid, phoneJid]).execute();
  const phoneRow = rows.find((row) => row.id === phoneJid);
  const lidRow = rows.find((row) => row.id === lid);
  if (phoneRow?.lid === lid && !lidRow) return;
  await db
    .insertInto('contacts')
    .values({ session_id: sessionId, id: phoneJid, phone_jid: phoneJid, lid, name: phoneRow?.name ?? lidRow?.name ?? null, notify: phoneRow?.notify ?? lidRow?.notify ?? null, updated_at: at })
    .onConflict((oc) =>
      oc.columns(['session_id', 'id']).doUpdateSet((eb) => ({
        phone_jid: eb.ref('excluded.phone_jid'),
        lid: eb.ref('excluded.lid'),
        name: eb.ref('excluded.name'),
        notify: eb.ref('excluded.notify'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
  if (lidRow) await db.deleteFrom('contacts').where('session_id', '=', sessionId).where('id', '=', lid).execute();
}

/** The LID chat folds into the phone chat; its last message is then read from the messages it now holds. */
async function mergeChats(db: Db, sessionId: string, lid: string, phoneJid: string): Promise<void> {
  const lidChat = await db.selectFrom('chats').selectAll().where('session_id', '=', sessionId).where('chat_id', '=', lid).executeTakeFirst();
  if (!lidChat) return;
  await db.deleteFrom('chats').where('session_id', '=', sessionId).where('chat_id', '=', lid).execute();
  const phoneChat = await db.selectFrom('chats').selectAll().where('session_id', '=', sessionId).where('chat_id', '=', phoneJid).executeTakeFirst();
  const last = await db
    .selectFrom('messages')
    .select(['id', 'timestamp'])
    .where('session_id', '=', sessionId)
    .where('chat_id', '=', phoneJid)
    .orderBy('timestamp', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  // Without messages (deleted by retention) the later of the two rows stands.
  const newer = !phoneChat || Number(lidChat.last_message_at) > Number(phoneChat.last_message_at) ? lidChat : phoneChat;
  const values = {
    name: phoneChat?.name ?? lidChat.name,
    last_message_at: last ? Number(last.timestamp) : Number(newer.last_message_at),
    last_message_id: last ? last.id : newer.last_message_id,
  };
  if (phoneChat) await db.updateTable('chats').set(values).where('session_id', '=', sessionId).where('chat_id', '=', phoneJid).execute();
  else await db.insertInto('chats').values({ session_id: sessionId, chat_id: phoneJid, ...values }).execute();
}
