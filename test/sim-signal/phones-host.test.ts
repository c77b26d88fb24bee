import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BinaryNode, decryptMessageNode, proto } from 'baileys';
import { parsePreKeyUpload, type PhoneAccount, type PhoneHost, SignalPhones, type UploadedKeys } from '../../sim/signal/index.ts';
import { type BaileysPeer, makeBaileysPeer, retryReceiptWithKeys, silentLogger } from './baileys-peer.ts';

/** A minimal in-memory host: what SignalPhones needs from the simulator, nothing more. */
function fakeHost(accounts: PhoneAccount[], companions: Record<string, number[]>) {
  const keys = new Map<string, UploadedKeys>();
  const delivered: Array<{ phone: string; device: number; node: BinaryNode }> = [];
  const host: PhoneHost = {
    stats: { messagesRelayed: 0 },
    store: {
      account: (phone) => accounts.find((a) => a.phone === phone),
      accountByUser: (user, server) => accounts.find((a) => (server === 'lid' ? a.lid : a.phone) === user),
      ensureAccount: (phone) => accounts.find((a) => a.phone === phone)!,
      keys: (phone, device) => keys.get(`${phone}:${device}`),
      setKeys: (phone, device, value) => void keys.set(`${phone}:${device}`, value),
      changed: () => undefined,
    },
    deliver: (phone, device, node) => delivered.push({ phone, device, node }),
    deviceIds: (account) => [0, ...(companions[account.phone] ?? [])],
  };
  return { host, keys, delivered };
}

async function receive(peer: BaileysPeer, node: BinaryNode) {
  const { fullMessage, decrypt } = decryptMessageNode(node, peer.meId, peer.meLid, peer.repo, silentLogger as any);
  await decrypt();
  return fullMessage;
}

const until = async (ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(ok(), 'condition met in time');
};

const ANA: PhoneAccount = { phone: '15550001000', lid: '91000', name: 'Ana' };
const VIC: PhoneAccount = { phone: '15550002000', lid: '92000', name: 'Vic' };

test('SignalPhones on a bare host: bootstrap on first login, send, and answer a retry receipt', async () => {
  const peer = await makeBaileysPeer(ANA.phone, ANA.lid, 2);
  const { host, keys, delivered } = fakeHost([ANA, VIC], { [ANA.phone]: [2] });
  keys.set(`${ANA.phone}:2`, parsePreKeyUpload(peer.uploadNode));
  const phones = new SignalPhones().attach(host);

  // Linked, then logged in: the phone's two bootstrap messages reach device 2 and are "from me".
  phones.linked(ANA, { id: 2 });
  phones.loggedIn({ device: 2 }, ANA);
  await until(() => delivered.length === 2);
  const boot = await Promise.all(delivered.map((d) => receive(peer, d.node)));
  assert.deepEqual(
    boot.map((m) => [m.key.fromMe, m.message?.protocolMessage?.type]),
    [
      [true, proto.Message.ProtocolMessage.Type.APP_STATE_SYNC_KEY_SHARE],
      [true, proto.Message.ProtocolMessage.Type.HISTORY_SYNC_NOTIFICATION],
    ],
  );
  // A second login does not bootstrap again.
  phones.loggedIn({ device: 2 }, ANA);
  assert.ok(keys.get(`${ANA.phone}:0`), 'device 0 keys published');

  // Vic's phone messages Ana's companion.
  delivered.length = 0;
  await phones.send(VIC, ANA, { conversation: 'hi ana' });
  assert.equal(delivered.length, 1);
  assert.equal((await receive(peer, delivered[0]!.node)).message?.conversation, 'hi ana');

  // Ana's companion loses the session, fails the next one and asks for a retry with its keys.
  delivered.length = 0;
  await phones.send(VIC, ANA, { conversation: 'again' });
  await peer.repo.deleteSession([`${VIC.lid}@lid`]);
  assert.ok((await receive(peer, delivered[0]!.node)).messageStubType, 'undecryptable');
  const receipt = await retryReceiptWithKeys(peer, delivered[0]!.node);
  assert.equal(await phones.handleRetry(VIC, receipt, { phone: ANA.phone, device: 2 }), 1);
  assert.equal((await receive(peer, delivered[1]!.node)).message?.conversation, 'again');
  assert.deepEqual(phones.errors, []);
});
