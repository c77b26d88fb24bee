import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BinaryNode, decryptMessageNode, encodeWAMessage } from 'baileys';
import {
  buildEncNode,
  buildMessageStanza,
  parsePreKeyUpload,
  takeBundle,
  VirtualContact,
} from '../../sim/signal/index.ts';
import { makeBaileysPeer, silentLogger } from './baileys-peer.ts';

const GROUP = '120363000000000001@g.us';

test('group sender keys: virtual contact → Baileys and Baileys → virtual contact', async () => {
  const peer = await makeBaileysPeer('5511944440000', '440000', 2);
  const directory = parsePreKeyUpload(peer.uploadNode);
  const contact = new VirtualContact('5511933330000@s.whatsapp.net', '330000@lid', 'Gina');

  // Contact → Baileys: pairwise SKDM then skmsg, delivered as from=group participant=contact.
  for (const text of ['group hello', 'group again']) {
    const [target] = await contact.encryptForGroup(GROUP, [peer.meLid], { conversation: text }, () => takeBundle(directory));
    const stanza = buildMessageStanza({ id: text, from: GROUP, participant: contact.lid, attrs: { addressing_mode: 'lid' } }, target!.encs);
    const { fullMessage, decrypt } = decryptMessageNode(stanza, peer.meId, peer.meLid, peer.repo, silentLogger as any);
    await decrypt();
    assert.equal(fullMessage.messageStubType ?? undefined, undefined, String(fullMessage.messageStubParameters));
    assert.equal(fullMessage.message?.conversation, text);
    assert.equal(fullMessage.key.participant, contact.lid);
  }

  // Baileys → contact: what Baileys' relayMessage builds for a group (SKDM per device + one skmsg).
  // Baileys already holds the pairwise session the contact started, so (as in relayMessage) it
  // fetches no keys and encrypts the distribution as a plain `msg`.
  for (const text of ['from baileys 1', 'from baileys 2']) {
    const { ciphertext, senderKeyDistributionMessage } = await peer.repo.encryptGroupMessage({
      group: GROUP,
      meId: peer.meLid,
      data: encodeWAMessage({ conversation: text }),
    });
    const skdm = await peer.repo.encryptMessage({
      jid: contact.lid,
      data: encodeWAMessage({ senderKeyDistributionMessage: { groupId: GROUP, axolotlSenderKeyDistributionMessage: senderKeyDistributionMessage } }),
    });
    const sent: BinaryNode = {
      tag: 'message',
      attrs: { id: text, to: GROUP, type: 'text' },
      content: [
        { tag: 'participants', attrs: {}, content: [{ tag: 'to', attrs: { jid: contact.lid }, content: [buildEncNode(skdm)] }] },
        buildEncNode({ type: 'skmsg', ciphertext }),
      ],
    };
    const entries = await contact.receive(sent, peer.meLid);
    assert.equal(entries.length, 1, 'the pure distribution message is not an inbox entry');
    assert.equal(entries[0]!.message.conversation, text);
    assert.equal(entries[0]!.group, GROUP);
  }
});
