import { test } from 'node:test';
import assert from 'node:assert/strict';
import { proto, type WAMessage } from 'baileys';
import { normalizeMessage } from '../../src/engines/baileys/inbound-mapper.ts';
import { refToKey, toBaileysContent } from '../../src/engines/baileys/outbound-mapper.ts';
import { statusFromBaileys } from '../../src/engines/baileys/baileys-events.ts';
import { toGroupInfo } from '../../src/engines/baileys/group-mapper.ts';

const dm = (message: proto.IMessage, extra: Partial<WAMessage['key']> = {}): WAMessage => ({
  key: { remoteJid: '15550001111@s.whatsapp.net', remoteJidAlt: '99887766@lid', fromMe: false, id: 'ABC', ...extra },
  messageTimestamp: 1_700_000_000,
  message,
});

test('inbound: every message kind maps to its normalized type and content', () => {
  const table: Array<[string, proto.IMessage, string, Record<string, unknown>]> = [
    ['conversation', { conversation: 'hi' }, 'text', { text: 'hi' }],
    ['extended text with quote and mention', { extendedTextMessage: { text: 'yo', contextInfo: { stanzaId: 'Q1', mentionedJid: ['1@s.whatsapp.net'] } } }, 'text', { text: 'yo', quotedId: 'Q1', mentions: ['1@s.whatsapp.net'] }],
    ['image', { imageMessage: { caption: 'pic', mimetype: 'image/jpeg', fileLength: 12, directPath: '/v/x' } }, 'image', { caption: 'pic', media: { mimetype: 'image/jpeg', fileLength: 12, downloadable: true } }],
    ['voice note', { audioMessage: { mimetype: 'audio/ogg', ptt: true, seconds: 3, url: 'https://x' } }, 'audio', { media: { mimetype: 'audio/ogg', ptt: true, seconds: 3, downloadable: true } }],
    ['document', { documentMessage: { fileName: 'a.pdf', mimetype: 'application/pdf' } }, 'document', { media: { mimetype: 'application/pdf', fileName: 'a.pdf', downloadable: false } }],
    ['location', { locationMessage: { degreesLatitude: 1.5, degreesLongitude: 2.5, name: 'Here' } }, 'location', { location: { latitude: 1.5, longitude: 2.5, name: 'Here' } }],
    ['contact', { contactMessage: { displayName: 'Ada', vcard: 'BEGIN:VCARD' } }, 'contact', { contacts: [{ name: 'Ada', vcard: 'BEGIN:VCARD' }] }],
    ['reaction', { reactionMessage: { text: '👍', key: { id: 'T1' } } }, 'reaction', { reaction: { emoji: '👍', targetId: 'T1' } }],
    ['poll', { pollCreationMessageV3: { name: 'Q?', options: [{ optionName: 'a' }, { optionName: 'b' }], selectableOptionsCount: 1 } }, 'poll', { poll: { name: 'Q?', options: ['a', 'b'], selectableCount: 1 } }],
    ['revoke', { protocolMessage: { type: proto.Message.ProtocolMessage.Type.REVOKE, key: { id: 'T2' } } }, 'revoke', { targetId: 'T2' }],
    ['edit', { protocolMessage: { type: proto.Message.ProtocolMessage.Type.MESSAGE_EDIT, key: { id: 'T3' }, editedMessage: { conversation: 'fixed' } } }, 'edit', { targetId: 'T3', text: 'fixed' }],
    ['ephemeral wrapper', { ephemeralMessage: { message: { conversation: 'secret' } } }, 'text', { text: 'secret' }],
  ];
  for (const [name, message, type, content] of table) {
    const normalized = normalizeMessage(dm(message));
    assert.ok(normalized, name);
    assert.equal(normalized.type, type, name);
    assert.deepEqual(normalized.content, content, name);
  }
});

test('inbound: addresses, direction, time; protocol noise is dropped', () => {
  const direct = normalizeMessage(dm({ conversation: 'hi' }))!;
  assert.equal(direct.chatId, '15550001111@s.whatsapp.net');
  assert.equal(direct.chatAltId, '99887766@lid');
  assert.equal(direct.senderId, '15550001111@s.whatsapp.net');
  assert.equal(direct.senderAltId, '99887766@lid');
  assert.equal(direct.status, 'received');
  assert.equal(direct.timestamp, 1_700_000_000_000);
  assert.ok(direct.raw?.includes('"ABC"'));

  const group = normalizeMessage(dm({ conversation: 'g' }, { remoteJid: '1203630@g.us', remoteJidAlt: undefined, participant: '15550002222:3@s.whatsapp.net', participantAlt: '4455@lid' }))!;
  assert.equal(group.chatId, '1203630@g.us');
  assert.equal(group.senderId, '15550002222@s.whatsapp.net', 'device suffix dropped');
  assert.equal(group.senderAltId, '4455@lid');

  const mine = normalizeMessage(dm({ conversation: 'me' }, { fromMe: true }))!;
  assert.equal(mine.fromMe, true);
  assert.equal(mine.senderId, null);
  assert.equal(mine.status, 'sent');

  assert.equal(normalizeMessage(dm({ protocolMessage: { type: proto.Message.ProtocolMessage.Type.APP_STATE_SYNC_KEY_SHARE } })), undefined);
  assert.equal(normalizeMessage(dm({ conversation: 'status' }, { remoteJid: 'status@broadcast' })), undefined);
  assert.equal(normalizeMessage({ key: { remoteJid: 'x@s.whatsapp.net', id: 'N' }, messageStubType: 2 }), undefined);
});

test('outbound: wafleet content becomes the Baileys content that sends it', () => {
  const target = { id: 'T1', chatId: '1203630@g.us', fromMe: false, senderId: '15550002222@s.whatsapp.net', raw: null };
  assert.deepEqual(refToKey(target), { remoteJid: '1203630@g.us', id: 'T1', fromMe: false, participant: '15550002222@s.whatsapp.net' });
  assert.deepEqual(toBaileysContent({ type: 'text', text: 'x', linkPreview: false }), { text: 'x', linkPreview: null });
  assert.deepEqual(toBaileysContent({ type: 'reaction', target, emoji: '🔥' }), { react: { text: '🔥', key: refToKey(target) } });
  assert.deepEqual(toBaileysContent({ type: 'revoke', target }), { delete: refToKey(target) });
  assert.deepEqual(toBaileysContent({ type: 'edit', target, text: 'y' }), { text: 'y', edit: refToKey(target) });
  assert.deepEqual(toBaileysContent({ type: 'poll', name: 'Q', options: ['a', 'b'], selectableCount: 1 }), { poll: { name: 'Q', values: ['a', 'b'], selectableCount: 1 } });
  assert.deepEqual(toBaileysContent({ type: 'location', latitude: 1, longitude: 2 }), { location: { degreesLatitude: 1, degreesLongitude: 2 } });
  const voice = toBaileysContent({ type: 'audio', media: { data: Buffer.from('a'), mimetype: 'audio/ogg' }, ptt: true });
  assert.equal((voice as { ptt: boolean }).ptt, true);
  const doc = toBaileysContent({ type: 'document', media: { data: Buffer.from('a'), mimetype: 'application/pdf' } });
  assert.equal((doc as { fileName: string }).fileName, 'file');
  assert.throws(() => toBaileysContent({ type: 'forward', target }), /no stored content/);
});

test('receipt statuses and group metadata', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, null].map(statusFromBaileys), ['failed', undefined, 'sent', 'delivered', 'read', 'played', undefined]);
  const info = toGroupInfo({
    id: '1203630@g.us', subject: 'S', owner: '15550001111:2@s.whatsapp.net', creation: 1_700_000_000, desc: 'D', announce: true, restrict: false,
    participants: [{ id: '4455@lid', phoneNumber: '15550002222@s.whatsapp.net', admin: 'admin' }, { id: '15550001111@s.whatsapp.net', admin: null }],
  } as never);
  assert.equal(info.owner, '15550001111@s.whatsapp.net');
  assert.equal(info.createdAt, 1_700_000_000_000);
  assert.deepEqual(info.participants, [
    { id: '4455@lid', phoneJid: '15550002222@s.whatsapp.net', lid: '4455@lid', admin: 'admin' },
    { id: '15550001111@s.whatsapp.net', phoneJid: '15550001111@s.whatsapp.net', lid: null, admin: null },
  ]);
});
