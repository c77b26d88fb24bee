import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BinaryNode, decryptMessageNode, encodeWAMessage } from 'baileys';
import { buildEncNode, buildMessageStanza, parsePreKeyUpload, takeBundle, VirtualContact } from '../../sim/signal/index.ts';
import { type BaileysPeer, makeBaileysPeer, retryReceiptWithKeys, silentLogger } from './baileys-peer.ts';

async function receive(peer: BaileysPeer, stanza: BinaryNode) {
  const { fullMessage, decrypt } = decryptMessageNode(stanza, peer.meId, peer.meLid, peer.repo, silentLogger as any);
  await decrypt();
  return fullMessage;
}

test('a retry receipt with keys makes the contact rebuild the session and resend as pkmsg', async () => {
  const peer = await makeBaileysPeer('5511900001111', '1111', 2);
  const directory = parsePreKeyUpload(peer.uploadNode);
  const contact = new VirtualContact('5511900002222@s.whatsapp.net', '2222@lid', 'Rita');
  const lookup = () => takeBundle(directory);

  const [hello] = await contact.buildDirectStanzas([peer.meLid], { conversation: 'first' }, lookup);
  assert.equal((await receive(peer, hello!.stanza)).message?.conversation, 'first');
  const reply = await peer.repo.encryptMessage({ jid: contact.lid, data: encodeWAMessage({ conversation: 'ack' }) });
  await contact.receive(buildMessageStanza({ id: 'A', from: peer.meLid }, [buildEncNode(reply)]), peer.meLid);

  // Baileys loses its session (e.g. restored from an old backup): the next `msg` cannot decrypt.
  const [lost] = await contact.buildDirectStanzas([peer.meLid], { conversation: 'second' }, lookup);
  await peer.repo.deleteSession([contact.lid]);
  const failed = await receive(peer, lost!.stanza);
  assert.ok(failed.messageStubType, 'decrypt failed as expected');

  const resent = await contact.handleRetryReceipt(await retryReceiptWithKeys(peer, lost!.stanza), peer.meLid);
  assert.equal(resent.length, 1);
  const enc = (resent[0]!.stanza.content as BinaryNode[])[0]!;
  assert.equal(enc.attrs.type, 'pkmsg');
  assert.equal(enc.attrs.count, '2');
  assert.equal(resent[0]!.stanza.attrs.id, lost!.stanza.attrs.id);
  const recovered = await receive(peer, resent[0]!.stanza);
  assert.equal(recovered.message?.conversation, 'second');
  assert.equal(recovered.retryCount, 2);

  assert.deepEqual(await contact.handleRetryReceipt({ tag: 'receipt', attrs: { id: 'unknown' } }, peer.meLid), []);
});
