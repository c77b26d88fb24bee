import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type BinaryNode,
  decryptMessageNode,
  encodeWAMessage,
  parseAndInjectE2ESessions,
  proto,
} from 'baileys';
import {
  buildEncNode,
  buildKeyBundleUser,
  buildMessageStanza,
  parsePreKeyUpload,
  takeBundle,
  VirtualContact,
} from '../../sim/signal/index.ts';
import { makeBaileysPeer, silentLogger } from './baileys-peer.ts';

const CONTACT_PN = '5511988880000@s.whatsapp.net';
const CONTACT_LID = '880000@lid';

/** What Baileys' receive path makes of a stanza the sim delivers (the real decode + decrypt code). */
async function baileysReceive(peer: Awaited<ReturnType<typeof makeBaileysPeer>>, stanza: BinaryNode) {
  const { fullMessage, decrypt } = decryptMessageNode(stanza, peer.meId, peer.meLid, peer.repo, silentLogger as any);
  await decrypt();
  assert.equal(fullMessage.messageStubType ?? undefined, undefined, `decrypt failed: ${fullMessage.messageStubParameters}`);
  return fullMessage;
}

async function setup() {
  const peer = await makeBaileysPeer('5511977770000', '770000', 3);
  const directory = parsePreKeyUpload(peer.uploadNode);
  const contact = new VirtualContact(CONTACT_PN, CONTACT_LID, 'Vera');
  return { peer, directory, contact };
}

test('virtual contact → Baileys: pkmsg until answered, msg after; Baileys → contact both ways', async () => {
  const { peer, directory, contact } = await setup();
  const lookups: string[] = [];
  const lookup = (jid: string) => (lookups.push(jid), takeBundle(directory));

  const first = await contact.buildDirectStanzas([peer.meLid], { conversation: 'hello 1' }, lookup);
  assert.equal(first[0]!.stanza.attrs.from, CONTACT_LID);
  assert.equal((first[0]!.stanza.content as BinaryNode[])[0]!.attrs.type, 'pkmsg');
  const got1 = await baileysReceive(peer, first[0]!.stanza);
  assert.equal(got1.message?.conversation, 'hello 1');
  assert.equal(got1.key.fromMe, false);
  assert.equal(got1.key.remoteJidAlt, CONTACT_PN);

  // No answer yet: libsignal keeps the prekey header, and no second bundle is fetched.
  const second = await contact.buildDirectStanzas([peer.meLid], { conversation: 'hello 2' }, lookup);
  assert.equal((second[0]!.stanza.content as BinaryNode[])[0]!.attrs.type, 'pkmsg');
  assert.equal((await baileysReceive(peer, second[0]!.stanza)).message?.conversation, 'hello 2');
  assert.deepEqual(lookups, [peer.meLid]);

  // Baileys answers over the session the contact started.
  const reply = await peer.repo.encryptMessage({ jid: CONTACT_LID, data: encodeWAMessage({ conversation: 'hi back' }) });
  assert.equal(reply.type, 'msg');
  const stanza = buildMessageStanza({ id: 'R1', from: peer.meLid }, [buildEncNode(reply)]);
  const [entry] = await contact.receive(stanza, peer.meLid);
  assert.equal(entry?.message.conversation, 'hi back');

  const third = await contact.buildDirectStanzas([peer.meLid], { conversation: 'hello 3' }, lookup);
  assert.equal((third[0]!.stanza.content as BinaryNode[])[0]!.attrs.type, 'msg');
  assert.equal((await baileysReceive(peer, third[0]!.stanza)).message?.conversation, 'hello 3');
  assert.equal(contact.inbox.length, 1);
});

test('Baileys → virtual contact from a fetched key bundle (pkmsg then msg), sent fan-out form', async () => {
  const { peer, contact } = await setup();
  // The server answers `encrypt get <key>` from the contact's published keys.
  const keyAnswer: BinaryNode = {
    tag: 'iq',
    attrs: { type: 'result' },
    content: [{ tag: 'list', attrs: {}, content: [buildKeyBundleUser(CONTACT_LID, takeBundle(contact.device.uploadedKeys()))] }],
  };
  await parseAndInjectE2ESessions(keyAnswer, peer.repo);

  for (const [i, expectedType] of ['pkmsg', 'pkmsg'].entries()) {
    const enc = await peer.repo.encryptMessage({ jid: CONTACT_LID, data: encodeWAMessage({ conversation: `to vera ${i}` }) });
    assert.equal(enc.type, expectedType);
    // As Baileys sends it to the server: <participants><to jid><enc/></to></participants>.
    const sent: BinaryNode = {
      tag: 'message',
      attrs: { id: `S${i}`, to: CONTACT_LID, type: 'text' },
      content: [{ tag: 'participants', attrs: {}, content: [{ tag: 'to', attrs: { jid: CONTACT_LID }, content: [buildEncNode(enc)] }] }],
    };
    const [entry] = await contact.receive(sent, peer.meLid);
    assert.equal(entry?.message.conversation, `to vera ${i}`);
  }
  // Once the contact answers, Baileys switches to plain `msg`.
  const answer = await contact.buildDirectStanzas([peer.meLid], { conversation: 'ok' }, () => undefined);
  await baileysReceive(peer, answer[0]!.stanza);
  const enc = await peer.repo.encryptMessage({ jid: CONTACT_LID, data: encodeWAMessage({ conversation: 'after' }) });
  assert.equal(enc.type, 'msg');
  const delivered = buildMessageStanza({ id: 'S9', from: peer.meLid }, [buildEncNode(enc)]);
  assert.equal((await contact.receive(delivered, peer.meLid))[0]?.message.conversation, 'after');
});

test('reactions, edits, revokes, replies, polls, locations and contacts survive the round trip', async () => {
  const { peer, directory, contact } = await setup();
  const target = { remoteJid: CONTACT_LID, fromMe: false, id: 'ABC' };
  const kinds: proto.IMessage[] = [
    { reactionMessage: { key: target, text: '👍', senderTimestampMs: 1 } },
    {
      protocolMessage: {
        key: target,
        type: proto.Message.ProtocolMessage.Type.MESSAGE_EDIT,
        editedMessage: { conversation: 'edited' },
      },
    },
    { protocolMessage: { key: target, type: proto.Message.ProtocolMessage.Type.REVOKE } },
    { extendedTextMessage: { text: 'reply', contextInfo: { stanzaId: 'ABC', participant: peer.meLid, quotedMessage: { conversation: 'q' } } } },
    { pollCreationMessageV3: { name: 'lunch?', options: [{ optionName: 'yes' }, { optionName: 'no' }], selectableOptionsCount: 1 } },
    { locationMessage: { degreesLatitude: -23.55, degreesLongitude: -46.63, name: 'SP' } },
    { contactMessage: { displayName: 'Ann', vcard: 'BEGIN:VCARD\nVERSION:3.0\nFN:Ann\nEND:VCARD' } },
  ];
  for (const message of kinds) {
    const [out] = await contact.buildDirectStanzas([peer.meLid], message, () => takeBundle(directory));
    const got = await baileysReceive(peer, out!.stanza);
    assert.deepEqual(proto.Message.toObject(got.message as proto.Message), proto.Message.toObject(proto.Message.fromObject(message)));
  }
  // And the other way, over the now-established session.
  for (const message of kinds) {
    const enc = await peer.repo.encryptMessage({ jid: CONTACT_LID, data: encodeWAMessage(message) });
    const [entry] = await contact.receive(buildMessageStanza({ id: 'K', from: peer.meLid }, [buildEncNode(enc)]), peer.meLid);
    assert.deepEqual(proto.Message.toObject(entry!.message), proto.Message.toObject(proto.Message.fromObject(message)));
  }
});
