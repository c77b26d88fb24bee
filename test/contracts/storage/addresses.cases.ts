/**
 * One person, one chat: AddressRepository (find, link) and migration 0050, which merges the split
 * LID / phone chats an older wafleet stored.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createStorage, migrate } from '../../../src/storage/create-storage.ts';
import type { Storage } from '../../../src/storage/ports.ts';
import { seed, type StorageContext, type StorageTarget } from './harness.ts';
import { chat, contact, message } from './messages.cases.ts';

const LID = '20000000000001@lid';
const PHONE = '491701234567@s.whatsapp.net';
const GROUP = '120363000000000001@g.us';

/** What an older wafleet stored for one person: a phone chat (our send) and a LID chat (the reply), two contacts. */
async function storeSplitPerson(storage: Storage): Promise<void> {
  await storage.messages.upsert(message('out1', { chatId: PHONE, timestamp: 1_000, status: 'read' }));
  await storage.messages.upsert(message('in1', { chatId: LID, chatAltId: PHONE, fromMe: false, senderId: LID, senderAltId: PHONE, status: 'received', timestamp: 2_000 }));
  await storage.messages.upsert(message('in2', { chatId: LID, fromMe: false, senderId: LID, status: 'received', timestamp: 3_000 }));
  await storage.messages.upsert(message('g1', { chatId: GROUP, fromMe: false, senderId: LID, status: 'received', timestamp: 2_500 }));
  await storage.chats.upsert(chat(PHONE, { lastMessageAt: 1_000, lastMessageId: 'out1' }));
  await storage.chats.upsert(chat(LID, { name: 'Anna', lastMessageAt: 3_000, lastMessageId: 'in2' }));
  await storage.chats.upsert(chat(GROUP, { lastMessageAt: 2_500, lastMessageId: 'g1' }));
  await storage.contacts.upsertMany([contact(PHONE, { phoneJid: PHONE, name: 'Anna K.' }), contact(LID, { lid: LID, notify: 'Anna' })]);
}

async function assertOnePerson(storage: Storage, otherChats: string[] = []): Promise<void> {
  const chats = await storage.chats.list('s1', 10, 0);
  assert.deepEqual(chats.items.map((c) => c.chatId).sort(), [GROUP, PHONE, ...otherChats].sort(), 'the LID chat is gone');
  const merged = await storage.chats.get('s1', PHONE);
  assert.equal(merged?.lastMessageId, 'in2', 'the last message is the newest of both chats');
  assert.equal(merged?.lastMessageAt, 3_000);
  assert.equal(merged?.name, 'Anna');
  const history = await storage.messages.list({ sessionId: 's1', chatId: PHONE, limit: 10 });
  assert.deepEqual(history.map((m) => m.id), ['in2', 'in1', 'out1'], 'every message of both chats, newest first');
  for (const m of history) assert.equal(m.chatAltId, LID, `${m.id} carries the LID beside the phone JID`);
  assert.deepEqual(history.filter((m) => !m.fromMe).map((m) => [m.senderId, m.senderAltId]), [[PHONE, LID], [PHONE, LID]]);
  const group = await storage.messages.get('s1', 'g1');
  assert.deepEqual([group?.chatId, group?.senderId, group?.senderAltId], [GROUP, PHONE, LID], 'group messages name the phone JID as sender');
  const contacts = await storage.contacts.list('s1', 10, 0);
  assert.equal(contacts.total, 1, JSON.stringify(contacts.items));
  assert.deepEqual(
    { id: contacts.items[0]?.id, phoneJid: contacts.items[0]?.phoneJid, lid: contacts.items[0]?.lid, name: contacts.items[0]?.name, notify: contacts.items[0]?.notify },
    { id: PHONE, phoneJid: PHONE, lid: LID, name: 'Anna K.', notify: 'Anna' },
  );
}

/** Makes the store look as it did before 0050: the migration unrecorded and its indexes gone. */
async function rewindTo0042(ctx: StorageContext, target: StorageTarget): Promise<void> {
  // Back to the schema before 0050, later migrations (0060) included, so that 0050 is the next one again.
  const statements = [
    "DELETE FROM kysely_migration WHERE name IN ('0050-one-chat-per-person', '0060-tenant-deletion')",
    'DROP INDEX contacts_lid_idx',
    'DROP INDEX messages_sender_idx',
    'ALTER TABLE tenants DROP COLUMN deletion',
  ];
  if (ctx.driver === 'sqlite') {
    const db = new Database(join(target.options.dataDir, 'wafleet.db'));
    try {
      for (const statement of statements) db.exec(statement);
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: target.options.databaseUrl });
  await client.connect();
  try {
    await client.query(`SET search_path TO "${target.options.schema}"`);
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

export function registerAddressCases(ctx: StorageContext): void {
  describe('addresses: one person, one chat', () => {
    test('find answers both addresses from either one once linked, and nothing for strangers', () =>
      ctx.withStorage(async (storage) => {
        await seed(storage);
        assert.equal(await storage.addresses.find('s1', LID), undefined);
        await storage.contacts.upsertMany([contact(LID, { lid: LID })]);
        assert.deepEqual(await storage.addresses.find('s1', LID), { lid: LID, phoneJid: null });
        await storage.addresses.link('s1', { lid: LID, phoneJid: PHONE }, 5);
        assert.deepEqual(await storage.addresses.find('s1', LID), { lid: LID, phoneJid: PHONE });
        assert.deepEqual(await storage.addresses.find('s1', PHONE), { lid: LID, phoneJid: PHONE });
        assert.equal(await storage.addresses.find('s2', PHONE), undefined, 'per session');
      }));

    test('link merges the LID chat, its messages and contact into the phone ones; a second link changes nothing', () =>
      ctx.withStorage(async (storage) => {
        await seed(storage);
        await storeSplitPerson(storage);
        await storage.addresses.link('s1', { lid: LID, phoneJid: PHONE }, 10);
        await assertOnePerson(storage);
        await storage.addresses.link('s1', { lid: LID, phoneJid: PHONE }, 11);
        await assertOnePerson(storage);
      }));

    test('link inside a transaction rolls back with it', () =>
      ctx.withStorage(async (storage) => {
        await seed(storage);
        await storeSplitPerson(storage);
        await assert.rejects(
          storage.transaction(async (repos) => {
            await repos.addresses.link('s1', { lid: LID, phoneJid: PHONE }, 10);
            throw new Error('abort');
          }),
          /abort/,
        );
        assert.ok(await storage.chats.get('s1', LID), 'the LID chat is still there');
        assert.equal((await storage.contacts.list('s1', 10, 0)).total, 2);
      }));

    test('migration 0050 merges the split LID / phone chats of an existing store, losing no message', async () => {
      const target = await ctx.newTarget();
      try {
        let storage = await createStorage(target.options);
        await seed(storage);
        await storeSplitPerson(storage);
        // Another person, known only by LID: stays as it is.
        await storage.messages.upsert(message('lone', { chatId: '20000000000002@lid', fromMe: false, senderId: '20000000000002@lid', status: 'received', timestamp: 4_000 }));
        await storage.chats.upsert(chat('20000000000002@lid', { lastMessageAt: 4_000, lastMessageId: 'lone' }));
        await storage.close();
        await rewindTo0042(ctx, target);

        assert.deepEqual((await migrate(target.options)).applied, ['0050-one-chat-per-person', '0060-tenant-deletion']);
        storage = await createStorage(target.options);
        try {
          assert.equal((await storage.messages.list({ sessionId: 's1', limit: 100 })).length, 5, 'no message lost');
          assert.equal((await storage.chats.get('s1', '20000000000002@lid'))?.lastMessageId, 'lone', 'a LID with no known number keeps its chat');
          await assertOnePerson(storage, ['20000000000002@lid']);
        } finally {
          await storage.close();
        }
      } finally {
        await target.drop();
      }
    });
  });
}
