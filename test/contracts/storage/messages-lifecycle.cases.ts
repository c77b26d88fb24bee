/**
 * Messages, chats and contacts beyond single calls: every status pair, JSON and text round trips,
 * cursor paging, persistence across reopen, and transactions (commit and rollback).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isStatusAdvance, MESSAGE_STATUSES, type MessageContent, type MessageRecord } from '../../../src/domain/messages.ts';
import { createStorage } from '../../../src/storage/create-storage.ts';
import type { Storage } from '../../../src/storage/ports.ts';
import { seed, type StorageContext } from './harness.ts';
import { chat, contact, message } from './messages.cases.ts';

class Boom extends Error {}

/** Every content field set, with text that trips encoders: astral emoji, ZWJ, RTL, escapes, NUL, a lone surrogate. */
const TRICKY_TEXT = 'Zoë 👩‍👩‍👧‍👦 ❤️ مرحبا 日本語 "quoted" \\ back\nslash\ttab \u0000 nul \ud83d lone';
const FULL_CONTENT: MessageContent = {
  text: TRICKY_TEXT,
  caption: 'caption 📷',
  media: { mimetype: 'image/jpeg', fileName: 'ü.jpg', fileLength: 123_456_789, seconds: 0, ptt: false, downloadable: true },
  location: { latitude: 52.520008, longitude: -13.404954, name: 'Straße', address: '' },
  contacts: [{ name: 'Ann', vcard: 'BEGIN:VCARD\nFN:Ann ✓\nEND:VCARD' }],
  reaction: { emoji: '', targetId: 'm0' },
  poll: { name: '?', options: ['🍕', '🍣'], selectableCount: 1 },
  targetId: 'm0',
  quotedId: 'm0',
  mentions: ['1@s.whatsapp.net', '2@lid'],
  forwarded: true,
};

/** A store holding one message, chat and contact per session s1, plus a contact in s2. */
async function seedHistory(storage: Storage): Promise<void> {
  await seed(storage);
  await storage.messages.upsert(message('m0', { content: { text: 'before' } }));
  await storage.chats.upsert(chat('c0', { name: 'Old', lastMessageAt: 100, lastMessageId: 'm0' }));
  await storage.contacts.upsertMany([contact('k0', { name: 'Old' }), contact('k2', { sessionId: 's2', name: 'Other' })]);
}

async function snapshot(storage: Storage): Promise<unknown> {
  return {
    messages: await storage.messages.list({ sessionId: 's1', limit: 100 }),
    chats: await storage.chats.list('s1', 100, 0),
    contacts: [await storage.contacts.list('s1', 100, 0), await storage.contacts.list('s2', 100, 0)],
  };
}

export function registerMessageLifecycleCases(ctx: StorageContext): void {
  describe('messages, chats and contacts: round trips and transactions', () => {
    test('upsert keeps the status isStatusAdvance says, for every pair of statuses', () =>
      ctx.withStorage(async (storage) => {
        await seed(storage);
        for (const from of MESSAGE_STATUSES) {
          for (const to of MESSAGE_STATUSES) {
            const id = `${from}-${to}`;
            await storage.messages.upsert(message(id, { status: from, statusReason: from }));
            await storage.messages.upsert(message(id, { status: to, statusReason: to, content: { text: 'second' }, updatedAt: 2 }));
            const stored = await storage.messages.get('s1', id);
            const expected = isStatusAdvance(from, to) ? to : from;
            assert.deepEqual([stored?.status, stored?.statusReason], [expected, expected], id);
            assert.deepEqual([stored?.content, stored?.updatedAt], [{ text: 'second' }, 2], `${id}: content is always replaced`);
          }
        }
      }));

    test('content JSON, raw and free text round-trip exactly (unicode, emoji, escapes)', () =>
      ctx.withStorage(async (storage) => {
        await seed(storage);
        const record: MessageRecord = message('ü-👋', {
          type: 'image',
          chatId: '120363000000000000@g.us',
          chatAltId: null,
          fromMe: false,
          senderId: '2@lid',
          senderAltId: '2@s.whatsapp.net',
          content: FULL_CONTENT,
          status: 'received',
          statusReason: 'ünïcødé ✓',
          timestamp: 4_102_444_800_000, // year 2100: past 2^31 seconds and 2^32 ms
          raw: JSON.stringify({ message: { conversation: TRICKY_TEXT } }),
        });
        await storage.messages.upsert(record);
        assert.deepEqual(await storage.messages.get('s1', 'ü-👋'), record);
        assert.deepEqual(await storage.messages.list({ sessionId: 's1', chatId: record.chatId, limit: 1 }), [record]);

        await storage.chats.upsert(chat('c1', { name: 'Familie 👨‍👩‍👧 عائلة', lastMessageAt: record.timestamp, lastMessageId: record.id }));
        assert.equal((await storage.chats.get('s1', 'c1'))?.name, 'Familie 👨‍👩‍👧 عائلة');
        await storage.contacts.upsertMany([contact('k1', { name: '李雷', notify: '🦊 Fox' })]);
        assert.deepEqual(await storage.contacts.get('s1', 'k1'), contact('k1', { name: '李雷', notify: '🦊 Fox' }));
      }));

    test('free text holding U+0000 is stored by every driver, as U+FFFD (PostgreSQL text cannot hold NUL)', () =>
      ctx.withStorage(async (storage) => {
        await seed(storage);
        // Push names and subjects are set by other people: one NUL must not fail a whole contacts batch.
        await storage.contacts.upsertMany([contact('k1', { name: 'a\u0000b', notify: '\u0000' }), contact('k2', { name: 'fine' })]);
        assert.deepEqual(await storage.contacts.get('s1', 'k1'), contact('k1', { name: 'a\ufffdb', notify: '\ufffd' }));
        assert.equal((await storage.contacts.get('s1', 'k2'))?.name, 'fine');
        await storage.chats.upsert(chat('c1', { name: 'x\u0000' }));
        assert.equal((await storage.chats.get('s1', 'c1'))?.name, 'x\ufffd');
        await storage.messages.upsert(message('m1', { status: 'failed', statusReason: 'bad\u0000reason' }));
        assert.equal((await storage.messages.get('s1', 'm1'))?.statusReason, 'bad\ufffdreason');
        await storage.messages.setStatus('s1', 'm1', 'failed', '\u0000', 2);
        assert.equal((await storage.messages.get('s1', 'm1'))?.statusReason, '\ufffd');
      }));

    test('paging with before visits every message once, newest first, across chats and per chat', () =>
      ctx.withStorage(async (storage) => {
        await seed(storage);
        const all = Array.from({ length: 25 }, (_, i) =>
          // Three messages share each timestamp, as a burst within one WhatsApp second does.
          message(`m${String(i).padStart(2, '0')}`, { timestamp: 1_000 + Math.floor(i / 3) * 10, chatId: i % 3 === 0 ? 'g@g.us' : 'u@s.whatsapp.net' }),
        );
        // Inserted out of order: the order comes from the timestamp, not from insertion.
        for (const record of [...all].reverse().filter((_, i) => i % 2 === 0)) await storage.messages.upsert(record);
        for (const record of [...all].reverse().filter((_, i) => i % 2 === 1)) await storage.messages.upsert(record);

        const pageThrough = async (chatId?: string): Promise<string[]> => {
          const seen: string[] = [];
          let before: { timestamp: number; id: string } | undefined;
          for (;;) {
            const page = await storage.messages.list({ sessionId: 's1', limit: 4, ...(chatId ? { chatId } : {}), ...(before !== undefined ? { before } : {}) });
            if (page.length === 0) return seen;
            assert.ok(page.length <= 4);
            seen.push(...page.map((m) => m.id));
            const last = page.at(-1)!;
            before = { timestamp: last.timestamp, id: last.id };
          }
        };
        const newestFirst = [...all].reverse();
        assert.deepEqual(await pageThrough(), newestFirst.map((m) => m.id));
        assert.deepEqual(await pageThrough('g@g.us'), newestFirst.filter((m) => m.chatId === 'g@g.us').map((m) => m.id));
        assert.deepEqual(await storage.messages.list({ sessionId: 's1', before: { timestamp: 1_000, id: 'm00' }, limit: 10 }), []);
        assert.deepEqual(await storage.messages.list({ sessionId: 's1', chatId: 'nobody@s.whatsapp.net', limit: 10 }), []);
      }));

    test('rows survive close and reopen', () =>
      ctx.withStorage(async (storage, target) => {
        await seedHistory(storage);
        await storage.messages.setStatus('s1', 'm0', 'delivered', null, 7);
        const before = await snapshot(storage);
        await storage.close();
        const reopened = await createStorage(target.options);
        try {
          assert.deepEqual(await snapshot(reopened), before);
          assert.equal((await reopened.messages.get('s1', 'm0'))?.status, 'delivered');
          assert.deepEqual(await reopened.messages.listQueued('s1', 10), []);
        } finally {
          await reopened.close();
        }
      }));

    test('a transaction commits messages, chats and contacts together; its reads see its writes', () =>
      ctx.withStorage(async (storage) => {
        await seed(storage);
        const result = await storage.transaction(async (repos) => {
          await repos.messages.upsert(message('m1'));
          await repos.messages.upsert(message('m1', { status: 'sent' }));
          await repos.chats.upsert(chat('c1', { lastMessageId: 'm1' }));
          await repos.contacts.upsertMany([contact('k1', { name: 'New' })]);
          assert.equal((await repos.messages.get('s1', 'm1'))?.status, 'sent');
          assert.equal((await repos.messages.listQueued('s1', 10)).length, 0);
          return (await repos.chats.list('s1', 10, 0)).total;
        });
        assert.equal(result, 1);
        assert.equal((await storage.messages.get('s1', 'm1'))?.status, 'sent');
        assert.equal((await storage.chats.get('s1', 'c1'))?.lastMessageId, 'm1');
        assert.equal((await storage.contacts.get('s1', 'k1'))?.name, 'New');
      }));

    test('a transaction that throws writes none of them, updates and deletes included', () =>
      ctx.withStorage(async (storage) => {
        await seedHistory(storage);
        const before = await snapshot(storage);
        await assert.rejects(
          storage.transaction(async (repos) => {
            await repos.messages.upsert(message('m1'));
            await repos.messages.upsert(message('m0', { status: 'read', content: { text: 'after' } }));
            await repos.messages.setStatus('s1', 'm1', 'failed', 'boom', 9);
            await repos.chats.upsert(chat('c0', { name: 'New', lastMessageAt: 500, lastMessageId: 'm1' }));
            await repos.chats.upsert(chat('c1'));
            await repos.contacts.upsertMany([contact('k0', { notify: 'new' }), contact('k1')]);
            await repos.contacts.deleteBySession('s2');
            assert.equal((await repos.contacts.list('s2', 10, 0)).total, 0, 'the delete is visible inside');
            throw new Boom('abort');
          }),
          Boom,
        );
        assert.deepEqual(await snapshot(storage), before);
        // The store is still usable afterwards.
        await storage.messages.upsert(message('m1'));
        assert.equal((await storage.messages.list({ sessionId: 's1', limit: 10 })).length, 2);
      }));
  });
}
