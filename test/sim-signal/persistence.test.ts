import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BinaryNode, decryptMessageNode, encodeWAMessage, parseAndInjectE2ESessions } from 'baileys';
import {
  buildEncNode,
  buildKeyBundleUser,
  buildMessageStanza,
  parsePreKeyUpload,
  takeBundle,
  VirtualContact,
  VirtualDevice,
} from '../../sim/signal/index.ts';
import { makeBaileysPeer, silentLogger } from './baileys-peer.ts';

test('a device restored from its JSON snapshot keeps its identity and sessions', async () => {
  const peer = await makeBaileysPeer('5511922220000', '220000', 1);
  const directory = parsePreKeyUpload(peer.uploadNode);
  const before = new VirtualContact('5511911110000@s.whatsapp.net', '110000@lid', 'Pat');
  const [first] = await before.buildDirectStanzas([peer.meLid], { conversation: 'before restart' }, () => takeBundle(directory));
  await decryptMessageNode(first!.stanza, peer.meId, peer.meLid, peer.repo, silentLogger as any).decrypt();

  const snapshot = JSON.parse(JSON.stringify(before.device));
  const after = new VirtualContact(before.pn, before.lid, 'Pat', VirtualDevice.fromJSON(snapshot));
  assert.deepEqual(after.device.identityKey, before.device.identityKey);
  assert.equal(after.device.registrationId, before.device.registrationId);
  assert.ok(after.device.hasSession(peer.meLid));

  const [second] = await after.buildDirectStanzas([peer.meLid], { conversation: 'after restart' }, () => assert.fail('no bundle needed'));
  const { fullMessage, decrypt } = decryptMessageNode(second!.stanza, peer.meId, peer.meLid, peer.repo, silentLogger as any);
  await decrypt();
  assert.equal(fullMessage.message?.conversation, 'after restart');

  const reply = await peer.repo.encryptMessage({ jid: after.lid, data: encodeWAMessage({ conversation: 'welcome back' }) });
  const [entry] = await after.receive(buildMessageStanza({ id: 'W', from: peer.meLid }, [buildEncNode(reply)]), peer.meLid);
  assert.equal(entry?.message.conversation, 'welcome back');
});

test('with one-time prekeys exhausted, sessions still start from the signed prekey alone', async () => {
  const device = VirtualDevice.create({ jid: '120000@lid', preKeyCount: 0 });
  const contact = new VirtualContact('5511912120000@s.whatsapp.net', '120000@lid', 'Zed', device);
  const bundle = takeBundle(device.uploadedKeys());
  assert.equal(bundle.preKey, undefined);
  const peer = await makeBaileysPeer('5511923230000', '230000', 1);
  const answer: BinaryNode = { tag: 'iq', attrs: {}, content: [{ tag: 'list', attrs: {}, content: [buildKeyBundleUser(contact.lid, bundle)] }] };
  await parseAndInjectE2ESessions(answer, peer.repo);
  const enc = await peer.repo.encryptMessage({ jid: contact.lid, data: encodeWAMessage({ conversation: 'no prekey' }) });
  assert.equal(enc.type, 'pkmsg');
  const [entry] = await contact.receive(buildMessageStanza({ id: 'N', from: peer.meLid }, [buildEncNode(enc)]), peer.meLid);
  assert.equal(entry?.message.conversation, 'no prekey');
});
