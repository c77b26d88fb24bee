/** Every non-media send type through the API arrives decrypted, with the right content, at the other phone. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../helpers/test-app.ts';
import { inbox, pairByQr, simJson, startE2E, virtualContact, type E2E } from './harness.ts';

const ME = '15550300001';
const BOB = '15550300002';

describe('send types arrive at the other side (real Baileys ↔ sim/)', () => {
  let e: E2E;
  let firstId: string;
  before(async () => {
    e = await startE2E();
    await pairByQr(e, 'sender', ME);
    await virtualContact(e, BOB, 'Bob');
  });
  after(() => e.close());

  async function sendAndReceive(payload: Record<string, unknown>): Promise<{ id: string; message: any }> {
    const response = await e.app.request({ method: 'POST', url: '/v1/sessions/sender/messages', key: e.key, payload: { to: BOB, ...payload } });
    assert.equal(response.statusCode, 201, `${String(payload.type)}: ${response.body}`);
    const { id } = response.json();
    const items = await eventually(() => inbox(e, BOB), (list) => list.some((m) => m.id === id), 15_000);
    return { id, message: items.find((m) => m.id === id).message };
  }

  test('text', async () => {
    const { id, message } = await sendAndReceive({ type: 'text', text: 'original text' });
    firstId = id;
    assert.equal(message.conversation ?? message.extendedTextMessage?.text, 'original text');
  });

  test('reply quotes the original', async () => {
    const { message } = await sendAndReceive({ type: 'text', text: 'a reply', replyTo: firstId });
    assert.equal(message.extendedTextMessage?.text, 'a reply');
    assert.equal(message.extendedTextMessage?.contextInfo?.stanzaId, firstId);
  });

  test('reaction', async () => {
    const { message } = await sendAndReceive({ type: 'reaction', messageId: firstId, emoji: '🔥' });
    assert.equal(message.reactionMessage?.text, '🔥');
    assert.equal(message.reactionMessage?.key?.id, firstId);
  });

  test('edit', async () => {
    const { message } = await sendAndReceive({ type: 'edit', messageId: firstId, text: 'edited text' });
    const protocol = message.protocolMessage ?? message.editedMessage?.message?.protocolMessage;
    assert.equal(protocol?.key?.id, firstId);
    const edited = protocol?.editedMessage;
    assert.equal(edited?.conversation ?? edited?.extendedTextMessage?.text, 'edited text');
  });

  test('location', async () => {
    const { message } = await sendAndReceive({ type: 'location', location: { latitude: 48.8584, longitude: 2.2945, name: 'Tour Eiffel' } });
    assert.equal(message.locationMessage?.degreesLatitude, 48.8584);
    assert.equal(message.locationMessage?.name, 'Tour Eiffel');
  });

  test('contact card', async () => {
    const { message } = await sendAndReceive({ type: 'contact', contacts: [{ name: 'Ada Lovelace', phone: '+44 20 7946 0000' }] });
    assert.equal(message.contactMessage?.displayName, 'Ada Lovelace');
    assert.match(message.contactMessage?.vcard ?? '', /waid=442079460000/);
  });

  test('poll', async () => {
    const { message } = await sendAndReceive({ type: 'poll', poll: { name: 'Lunch?', options: ['Pizza', 'Sushi', 'Salad'], selectableCount: 1 } });
    const poll = message.pollCreationMessage ?? message.pollCreationMessageV2 ?? message.pollCreationMessageV3;
    assert.equal(poll?.name, 'Lunch?');
    assert.deepEqual(poll?.options?.map((o: { optionName: string }) => o.optionName), ['Pizza', 'Sushi', 'Salad']);
  });

  test('forward (of an own message: WhatsApp marks only others\' messages as forwarded)', async () => {
    const { message } = await sendAndReceive({ type: 'forward', messageId: firstId });
    assert.equal(message.conversation ?? message.extendedTextMessage?.text, 'original text');
  });

  test('delete for everyone', async () => {
    const { message } = await sendAndReceive({ type: 'delete', messageId: firstId });
    assert.equal(message.protocolMessage?.key?.id, firstId);
    assert.equal(message.protocolMessage?.type, 0, 'REVOKE');
  });

  test('inbound reaction, edit and revoke from the other phone become their own events', async () => {
    const original = await simJson(e.sim, 'POST', `/admin/contacts/${BOB}/send`, { to: ME, text: 'from bob' });
    await eventually(() => e.app.events.find((ev) => ev.type === 'message.received' && ev.payload.id === original.body.id), Boolean, 15_000);
    const chat = `${ME}@s.whatsapp.net`;
    const reaction = await simJson(e.sim, 'POST', `/admin/contacts/${BOB}/send`, {
      to: ME,
      message: { reactionMessage: { key: { remoteJid: chat, fromMe: false, id: original.body.id }, text: '❤️', senderTimestampMs: Date.now() } },
    });
    assert.equal(reaction.status, 200, JSON.stringify(reaction.body));
    const reactionEvent = await eventually(() => e.app.events.find((ev) => ev.type === 'message.reaction'), Boolean, 15_000);
    assert.deepEqual((reactionEvent!.payload.content as any).reaction, { emoji: '❤️', targetId: original.body.id });
    await simJson(e.sim, 'POST', `/admin/contacts/${BOB}/send`, {
      to: ME,
      message: { protocolMessage: { type: 0, key: { remoteJid: chat, fromMe: false, id: original.body.id } } },
    });
    const revoked = await eventually(() => e.app.events.find((ev) => ev.type === 'message.revoked'), Boolean, 15_000);
    assert.equal((revoked!.payload.content as any).targetId, original.body.id);
  });

  test('inbound location, contact card, poll and edit are stored with their content and announced', async () => {
    const chat = `${ME}@s.whatsapp.net`;
    const send = async (message: object) => {
      const sent = await simJson(e.sim, 'POST', `/admin/contacts/${BOB}/send`, { to: ME, message });
      assert.equal(sent.status, 200, JSON.stringify(sent.body));
      return sent.body.id as string;
    };
    const received = (id: string, type = 'message.received') =>
      eventually(() => e.app.events.find((ev) => ev.type === type && ev.payload.id === id), Boolean, 15_000);

    const location = await received(await send({ locationMessage: { degreesLatitude: 40.4168, degreesLongitude: -3.7038, name: 'Madrid' } }));
    assert.equal(location!.payload.type, 'location');
    assert.deepEqual((location!.payload.content as any).location, { latitude: 40.4168, longitude: -3.7038, name: 'Madrid' });

    const card = await received(await send({ contactMessage: { displayName: 'Grace', vcard: 'BEGIN:VCARD\nVERSION:3.0\nFN:Grace\nEND:VCARD' } }));
    assert.deepEqual((card!.payload.content as any).contacts, [{ name: 'Grace', vcard: 'BEGIN:VCARD\nVERSION:3.0\nFN:Grace\nEND:VCARD' }]);

    const poll = await received(await send({ pollCreationMessageV3: { name: 'Tea or coffee?', options: [{ optionName: 'Tea' }, { optionName: 'Coffee' }], selectableOptionsCount: 1 } }));
    assert.equal(poll!.payload.type, 'poll');
    assert.deepEqual((poll!.payload.content as any).poll, { name: 'Tea or coffee?', options: ['Tea', 'Coffee'], selectableCount: 1 });

    const original = await send({ conversation: 'teh typo' });
    await received(original);
    const edit = await received(await send({ protocolMessage: { type: 14, key: { remoteJid: chat, fromMe: false, id: original }, editedMessage: { conversation: 'the typo' } } }), 'message.edited');
    assert.deepEqual((edit!.payload.content as any), { targetId: original, text: 'the typo' });

    const stored = (await e.app.request({ method: 'GET', url: `/v1/sessions/sender/messages?chatId=${BOB}&limit=20`, key: e.key })).json().items;
    for (const type of ['location', 'contact', 'poll', 'edit']) assert.ok(stored.some((m: { type: string }) => m.type === type), `${type} stored`);
  });
});
