/**
 * One contact is one chat: real Baileys ↔ sim/ over the HTTP API. We write to a phone number, the
 * contact's phone answers by LID (as WhatsApp addresses most users now, with `sender_pn` beside it),
 * and everything lands in one chat and one contact that carries both addresses.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../helpers/test-app.ts';
import { inbox, pairByQr, simJson, startE2E, virtualContact, type E2E } from './harness.ts';

const ALICE = '15550300001';
const BOB = '15550300002';
const BOB_PN = `${BOB}@s.whatsapp.net`;

/** WhatsApp stamps messages in whole seconds: the chat's last message is one of the newest in its history. */
function assertLastMessage(chat: { lastMessageAt: number; lastMessageId: string }, history: Array<{ id: string; timestamp: number }>): void {
  const newest = Math.max(...history.map((m) => m.timestamp));
  assert.equal(chat.lastMessageAt, newest);
  assert.ok(history.some((m) => m.id === chat.lastMessageId && m.timestamp === newest), JSON.stringify({ chat, history }));
}

describe('LID and phone number: one chat per person', () => {
  let e: E2E;
  let bobLid: string;
  before(async () => {
    e = await startE2E();
    await pairByQr(e, 'alice', ALICE);
    bobLid = (await virtualContact(e, BOB, 'Bob')).lid;
  });
  after(() => e.close());

  const get = async (url: string) => {
    const response = await e.app.request({ method: 'GET', url, key: e.key });
    assert.equal(response.statusCode, 200, response.body);
    return response.json();
  };
  const bobChats = async () => (await get('/v1/sessions/alice/chats')).items.filter((c: { chatId: string }) => [BOB_PN, bobLid].includes(c.chatId));

  test('a send to the phone number and the reply by LID share one chat, one history and one contact', async () => {
    const sent = await e.app.request({ method: 'POST', url: '/v1/sessions/alice/messages', key: e.key, payload: { to: `+${BOB}`, type: 'text', text: 'Hi Bob, your order shipped' } });
    assert.equal(sent.statusCode, 201, sent.body);
    const out = sent.json();
    await eventually(() => inbox(e, BOB), (items) => items.some((m) => m.id === out.id), 15_000);

    const reply = await simJson(e.sim, 'POST', `/admin/contacts/${BOB}/send`, { to: ALICE, text: 'Thanks, got it' });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    const event = await eventually(() => e.app.events.find((ev) => ev.type === 'message.received' && ev.payload.id === reply.body.id), Boolean, 15_000);
    // The reply came addressed by LID; the event names the person by phone JID and carries the LID beside it.
    assert.deepEqual(
      { chatId: event!.payload.chatId, chatAltId: event!.payload.chatAltId, senderId: event!.payload.senderId, senderAltId: event!.payload.senderAltId },
      { chatId: BOB_PN, chatAltId: bobLid, senderId: BOB_PN, senderAltId: bobLid },
    );

    const chats = await bobChats();
    assert.equal(chats.length, 1, `one chat for Bob: ${JSON.stringify(chats)}`);
    assert.equal(chats[0].chatId, BOB_PN);

    const history = await get(`/v1/sessions/alice/messages?chatId=${encodeURIComponent(BOB_PN)}`);
    assert.deepEqual(history.items.map((m: { id: string }) => m.id).sort(), [out.id, reply.body.id].sort());
    assertLastMessage(chats[0], history.items);
    const byLid = await get(`/v1/sessions/alice/messages?chatId=${encodeURIComponent(bobLid)}`);
    assert.deepEqual(byLid.items.map((m: { id: string }) => m.id), history.items.map((m: { id: string }) => m.id), 'the LID names the same chat');

    const contacts = (await get('/v1/sessions/alice/contacts')).items.filter((c: { id: string; lid: string | null; phoneJid: string | null }) => [c.id, c.lid, c.phoneJid].some((a) => a === BOB_PN || a === bobLid));
    assert.equal(contacts.length, 1, `one contact for Bob: ${JSON.stringify(contacts)}`);
    assert.deepEqual({ id: contacts[0].id, phoneJid: contacts[0].phoneJid, lid: contacts[0].lid, notify: contacts[0].notify }, { id: BOB_PN, phoneJid: BOB_PN, lid: bobLid, notify: 'Bob' });

    // The same event as webhooks and WebSocket subscribers get it, from the event log.
    const logged = (await get('/v1/events?types=message.received')).items.find((ev: { payload: { id: string } }) => ev.payload.id === reply.body.id);
    assert.equal(logged?.payload.chatId, BOB_PN);
    assert.equal(logged?.payload.chatAltId, bobLid);
  });

  test('a send to the LID lands in the same chat and reaches the phone', async () => {
    const sent = await e.app.request({ method: 'POST', url: '/v1/sessions/alice/messages', key: e.key, payload: { to: bobLid, type: 'text', text: 'One more thing' } });
    assert.equal(sent.statusCode, 201, sent.body);
    const out = sent.json();
    assert.equal(out.chatId, BOB_PN);
    assert.equal(out.chatAltId, bobLid);
    await eventually(() => inbox(e, BOB), (items) => items.some((m) => m.id === out.id), 15_000);
    const chats = await bobChats();
    assert.equal(chats.length, 1, JSON.stringify(chats));
    const history = await get(`/v1/sessions/alice/messages?chatId=${encodeURIComponent(BOB_PN)}`);
    assert.equal(history.items.length, 3);
    assert.ok(history.items.some((m: { id: string }) => m.id === out.id));
    assertLastMessage(chats[0], history.items);
  });

  test('a contact whose number is hidden writes by LID alone; once a send teaches the mapping, its chat joins the phone one', async () => {
    const carol = await virtualContact(e, '15550300003', 'Carol');
    const first = await simJson(e.sim, 'POST', `/admin/contacts/${carol.phone}/send`, { to: ALICE, text: 'Hello from a hidden number', hidePhone: true });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const event = await eventually(() => e.app.events.find((ev) => ev.type === 'message.received' && ev.payload.id === first.body.id), Boolean, 15_000);
    // Nothing tells the number yet: the chat is the LID's.
    assert.equal(event!.payload.chatId, carol.lid);
    assert.equal(event!.payload.chatAltId, null);
    const chatIds = async () => (await get('/v1/sessions/alice/chats')).items.map((c: { chatId: string }) => c.chatId).filter((id: string) => id === carol.jid || id === carol.lid);
    assert.deepEqual(await chatIds(), [carol.lid]);

    // Sending to the number makes Baileys ask WhatsApp for its devices and LID (usync): now the pair is known.
    const sent = await e.app.request({ method: 'POST', url: '/v1/sessions/alice/messages', key: e.key, payload: { to: carol.phone, type: 'text', text: 'Hi Carol' } });
    assert.equal(sent.statusCode, 201, sent.body);
    await eventually(chatIds, (ids) => ids.length === 1 && ids[0] === carol.jid, 15_000);
    const history = await get(`/v1/sessions/alice/messages?chatId=${encodeURIComponent(carol.lid)}`);
    assert.deepEqual(history.items.map((m: { id: string }) => m.id).sort(), [first.body.id, sent.json().id].sort(), 'the LID message moved into the phone chat');
    const moved = history.items.find((m: { id: string }) => m.id === first.body.id);
    assert.deepEqual([moved.chatId, moved.chatAltId, moved.senderId, moved.senderAltId], [carol.jid, carol.lid, carol.jid, carol.lid]);
    const contacts = (await get('/v1/sessions/alice/contacts')).items.filter((c: { lid: string | null; id: string }) => c.lid === carol.lid || c.id === carol.lid);
    assert.deepEqual(contacts.map((c: { id: string; phoneJid: string; notify: string }) => [c.id, c.phoneJid, c.notify]), [[carol.jid, carol.jid, 'Carol']]);
  });
});
