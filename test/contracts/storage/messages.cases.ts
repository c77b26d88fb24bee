/** Messages, chats and contacts of a session. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChatRecord, ContactRecord, MessageRecord } from '../../../src/domain/messages.ts';
import { seed, type StorageContext } from './harness.ts';

export function message(id: string, overrides: Partial<MessageRecord> = {}): MessageRecord {
  return {
    sessionId: 's1',
    tenantId: 'acme',
    id,
    chatId: '491511111111@s.whatsapp.net',
    chatAltId: null,
    fromMe: true,
    senderId: null,
    senderAltId: null,
    type: 'text',
    content: { text: `hello ${id} 👋`, mentions: ['a@s.whatsapp.net'] },
    status: 'queued',
    statusReason: null,
    timestamp: 1_700_000_000_000,
    raw: null,
    updatedAt: 1_700_000_000_000,
    ...overrides,
  };
}

export function chat(chatId: string, overrides: Partial<ChatRecord> = {}): ChatRecord {
  return { sessionId: 's1', chatId, name: null, lastMessageAt: 100, lastMessageId: null, ...overrides };
}

export function contact(id: string, overrides: Partial<ContactRecord> = {}): ContactRecord {
  return { sessionId: 's1', id, phoneJid: null, lid: null, name: null, notify: null, updatedAt: 1, ...overrides };
}

const ids = (items: Array<{ id: string }>): string[] => items.map((item) => item.id);

export function registerMessageCases(ctx: StorageContext): void {
  describe('messages', () => {
    test('upsert inserts and round-trips; a second sighting replaces content but never moves status back', () =>
      ctx.withStorage(async (storage) => {
        await seed(storage);
        const first = message('m1', { raw: '{"key":1}', chatAltId: '1@lid', status: 'delivered' });
        await storage.messages.upsert(first);
        assert.deepEqual(await storage.messages.get('s1', 'm1'), first);
        assert.equal(await storage.messages.get('s2', 'm1'), undefined, 'ids are per session');

        const resent = message('m1', { content: { text: 'edited' }, status: 'sent', statusReason: 'late', updatedAt: 5 });
        await storage.messages.upsert(resent);
        assert.deepEqual(await storage.messages.get('s1', 'm1'), {
          ...resent,
          status: 'delivered',
          statusReason: null,
          raw: '{"key":1}',
          chatAltId: '1@lid',
        });
        await storage.messages.upsert(message('m1', { status: 'read', updatedAt: 6 }));
        assert.equal((await storage.messages.get('s1', 'm1'))?.status, 'read');
      }));

    test('concurrent upserts of one message do not conflict', () =>
      ctx.withStorage(async (storage) => {
        await seed(storage);
        const statuses = ['sent', 'read', 'delivered', 'queued'] as const;
        await Promise.all(statuses.map((status) => storage.messages.upsert(message('m1', { status }))));
        assert.equal((await storage.messages.get('s1', 'm1'))?.status, 'read');
      }));

    test('insertNew refuses an id the session already has and leaves the stored message alone', () =>
      ctx.withStorage(async (storage) => {
        await seed(storage);
        assert.equal(await storage.messages.insertNew(message('m1')), true);
        assert.equal(await storage.messages.insertNew(message('m1', { content: { text: 'other' }, status: 'sent' })), false);
        assert.deepEqual(await storage.messages.get('s1', 'm1'), message('m1'));
        assert.equal(await storage.messages.insertNew(message('m1', { sessionId: 's2' })), true, 'ids are per session');
      }));

    test('markSent: queued becomes sent with the content as sent; a receipt that came first is kept', () =>
      ctx.withStorage(async (storage) => {
        await seed(storage);
        await storage.messages.upsert(message('m1', { raw: null, statusReason: 'waiting' }));
        const sent = { chatId: '491511111111@s.whatsapp.net', timestamp: 1_700_000_000_500, type: 'text' as const, content: { text: 'as sent', quotedId: 'q1' }, raw: '{"sent":1}' };
        const marked = await storage.messages.markSent('s1', 'm1', sent, 77);
        const expected = { ...message('m1'), ...sent, status: 'sent' as const, statusReason: null, updatedAt: 77 };
        assert.deepEqual(marked, expected);
        assert.deepEqual(await storage.messages.get('s1', 'm1'), expected);

        await storage.messages.upsert(message('m2', { status: 'delivered', raw: '{"old":1}' }));
        const late = await storage.messages.markSent('s1', 'm2', { ...sent, raw: null }, 78);
        assert.equal(late?.status, 'delivered', 'the receipt is not undone');
        assert.equal(late?.raw, '{"old":1}', 'a known raw message is never erased');
        assert.equal(await storage.messages.markSent('s1', 'missing', sent, 79), undefined);
      }));

    test('setStatus with an expected status changes nothing once another update moved it', () =>
      ctx.withStorage(async (storage) => {
        await seed(storage);
        await storage.messages.upsert(message('m1', { status: 'sent' }));
        assert.equal(await storage.messages.setStatus('s1', 'm1', 'delivered', null, 10, 'sent'), true);
        assert.equal(await storage.messages.setStatus('s1', 'm1', 'read', null, 11, 'sent'), false);
        assert.deepEqual({ status: (await storage.messages.get('s1', 'm1'))?.status, at: (await storage.messages.get('s1', 'm1'))?.updatedAt }, { status: 'delivered', at: 10 });
      }));

    test('list: newest first, by chat, paged with before; listQueued oldest first; setStatus', () =>
      ctx.withStorage(async (storage) => {
        await seed(storage);
        const other = 'group@g.us';
        await storage.messages.upsert(message('a', { timestamp: 10, fromMe: false, senderId: 'x@s.whatsapp.net', status: 'received' }));
        await storage.messages.upsert(message('b', { timestamp: 20, chatId: other }));
        await storage.messages.upsert(message('c', { timestamp: 30 }));
        await storage.messages.upsert(message('d', { timestamp: 30, status: 'sent' }));
        await storage.messages.upsert(message('e', { sessionId: 's2', timestamp: 40 }));
        assert.deepEqual(ids(await storage.messages.list({ sessionId: 's1', limit: 10 })), ['d', 'c', 'b', 'a']);
        assert.deepEqual(ids(await storage.messages.list({ sessionId: 's1', limit: 2 })), ['d', 'c']);
        assert.deepEqual(ids(await storage.messages.list({ sessionId: 's1', before: { timestamp: 30, id: '' }, limit: 10 })), ['b', 'a']);
        assert.deepEqual(ids(await storage.messages.list({ sessionId: 's1', chatId: other, limit: 10 })), ['b']);
        assert.equal((await storage.messages.get('s1', 'a'))?.fromMe, false);

        assert.deepEqual(ids(await storage.messages.listQueued('s1', 10)), ['b', 'c']);
        assert.deepEqual(ids(await storage.messages.listQueued('s1', 1)), ['b']);
        assert.equal(await storage.messages.setStatus('s1', 'b', 'failed', 'no route', 99), true);
        assert.deepEqual(
          { ...(await storage.messages.get('s1', 'b')) },
          { ...message('b', { timestamp: 20, chatId: other }), status: 'failed', statusReason: 'no route', updatedAt: 99 },
        );
        assert.equal(await storage.messages.setStatus('s1', 'missing', 'sent', null, 1), false);
        assert.deepEqual(ids(await storage.messages.listQueued('s1', 10)), ['c']);

        await storage.messages.deleteBySession('s1');
        assert.deepEqual(await storage.messages.list({ sessionId: 's1', limit: 10 }), []);
        assert.equal((await storage.messages.list({ sessionId: 's2', limit: 10 })).length, 1);
      }));
  });

  describe('chats', () => {
    test('upsert moves forward only, keeps a name unless given one; list most recent first', () =>
      ctx.withStorage(async (storage) => {
        await seed(storage);
        await storage.chats.upsert(chat('c1', { name: 'Alice', lastMessageAt: 100, lastMessageId: 'm1' }));
        await storage.chats.upsert(chat('c1', { lastMessageAt: 50, lastMessageId: 'old' }));
        assert.deepEqual(await storage.chats.get('s1', 'c1'), chat('c1', { name: 'Alice', lastMessageAt: 100, lastMessageId: 'm1' }));
        await storage.chats.upsert(chat('c1', { name: 'Alice B', lastMessageAt: 200, lastMessageId: 'm2' }));
        assert.deepEqual(await storage.chats.get('s1', 'c1'), chat('c1', { name: 'Alice B', lastMessageAt: 200, lastMessageId: 'm2' }));
        await storage.chats.upsert(chat('c1', { lastMessageAt: 200, lastMessageId: null }));
        assert.equal((await storage.chats.get('s1', 'c1'))?.lastMessageId, 'm2', 'same time: the known id stays');

        await storage.chats.upsert(chat('c2', { lastMessageAt: 300 }));
        await storage.chats.upsert(chat('c0', { lastMessageAt: 200 }));
        await storage.chats.upsert(chat('c9', { sessionId: 's2', lastMessageAt: 999 }));
        const page = await storage.chats.list('s1', 2, 0);
        assert.deepEqual([page.items.map((c) => c.chatId), page.total], [['c2', 'c0'], 3]);
        assert.deepEqual((await storage.chats.list('s1', 2, 2)).items.map((c) => c.chatId), ['c1']);
        await storage.chats.deleteBySession('s1');
        assert.deepEqual(await storage.chats.list('s1', 10, 0), { items: [], total: 0 });
        assert.equal((await storage.chats.list('s2', 10, 0)).total, 1);
      }));
  });

  describe('contacts', () => {
    test('upsertMany merges partial updates (also within one batch); list pages by id', () =>
      ctx.withStorage(async (storage) => {
        await seed(storage);
        await storage.contacts.upsertMany([
          contact('b@s.whatsapp.net', { phoneJid: 'b@s.whatsapp.net', name: 'Bob' }),
          contact('a@lid', { lid: 'a@lid' }),
          contact('a@lid', { notify: 'Ann', updatedAt: 2 }),
        ]);
        assert.deepEqual(await storage.contacts.get('s1', 'a@lid'), contact('a@lid', { lid: 'a@lid', notify: 'Ann', updatedAt: 2 }));
        await storage.contacts.upsertMany([contact('b@s.whatsapp.net', { notify: 'bobby', updatedAt: 3 })]);
        assert.deepEqual(
          await storage.contacts.get('s1', 'b@s.whatsapp.net'),
          contact('b@s.whatsapp.net', { phoneJid: 'b@s.whatsapp.net', name: 'Bob', notify: 'bobby', updatedAt: 3 }),
        );
        await storage.contacts.upsertMany([]);
        const page = await storage.contacts.list('s1', 1, 1);
        assert.deepEqual([ids(page.items), page.total], [['b@s.whatsapp.net'], 2]);
        await storage.contacts.deleteBySession('s1');
        assert.equal(await storage.contacts.get('s1', 'a@lid'), undefined);
      }));

    test('a large batch with a failing row writes nothing', () =>
      ctx.withStorage(async (storage) => {
        await seed(storage);
        const many = Array.from({ length: 1200 }, (_, i) => contact(`c${i}@s.whatsapp.net`));
        // updatedAt is NOT NULL: the last chunk fails after the first two were written.
        const poison = contact('z@s.whatsapp.net', { updatedAt: null as unknown as number });
        await assert.rejects(storage.contacts.upsertMany([...many, poison]));
        assert.equal((await storage.contacts.list('s1', 1, 0)).total, 0);
      }));
  });

  test('deleting a session deletes its messages, chats and contacts', () =>
    ctx.withStorage(async (storage) => {
      await seed(storage);
      await storage.messages.upsert(message('m1'));
      await storage.chats.upsert(chat('c1'));
      await storage.contacts.upsertMany([contact('x@lid')]);
      await storage.sessions.delete('s1');
      await storage.sessions.create({ ...(await storage.sessions.get('s2'))!, id: 's1' });
      assert.equal(await storage.messages.get('s1', 'm1'), undefined);
      assert.equal(await storage.chats.get('s1', 'c1'), undefined);
      assert.equal(await storage.contacts.get('s1', 'x@lid'), undefined);
    }));
}
