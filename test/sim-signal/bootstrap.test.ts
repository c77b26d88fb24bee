import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type BinaryNode,
  decryptMessageNode,
  DEFAULT_CONNECTION_CONFIG,
  getHistoryMsg,
  PROCESSABLE_HISTORY_TYPES,
  proto,
} from 'baileys';
import processMessage from 'baileys/lib/Utils/process-message.js';
import { buildPostLinkBootstrap, parsePreKeyUpload, takeBundle, VirtualDevice } from '../../sim/signal/index.ts';
import { makeBaileysPeer, silentLogger } from './baileys-peer.ts';

const PHONE = '5511966660000';
const LID = '660000';

test('post-link bootstrap: key share + INITIAL_BOOTSTRAP decrypt and are accepted by Baileys', async () => {
  const companion = await makeBaileysPeer(PHONE, LID, 4);
  const primary = VirtualDevice.create({ jid: `${LID}@lid` });
  const bootstrap = await buildPostLinkBootstrap({
    primary,
    companionJid: companion.meId,
    companionBundle: takeBundle(parsePreKeyUpload(companion.uploadNode)),
    fromJid: `${PHONE}@s.whatsapp.net`,
    history: {
      conversations: [{ id: '5511955550000@s.whatsapp.net', name: 'Bob', lidJid: '550000@lid' }],
      lidPnMappings: [{ lid: '550000@lid', pn: '5511955550000@s.whatsapp.net' }],
    },
  });
  assert.equal(bootstrap.stanzas.length, 2);
  assert.equal(bootstrap.appStateKeys.length, 1);

  const events: Array<[string, any]> = [];
  const ev = { emit: (name: string, data: unknown) => events.push([name, data]) } as any;
  const received: proto.IWebMessageInfo[] = [];
  for (const stanza of bootstrap.stanzas) {
    assert.equal(stanza.attrs.category, 'peer');
    assert.equal((stanza.content as BinaryNode[])[0]!.attrs.type, 'pkmsg');
    const { fullMessage, decrypt } = decryptMessageNode(stanza, companion.meId, companion.meLid, companion.repo, silentLogger as any);
    await decrypt();
    assert.equal(fullMessage.messageStubType ?? undefined, undefined, String(fullMessage.messageStubParameters));
    // Self-only protocol messages are dropped by Baileys unless they come from our own account.
    assert.equal(fullMessage.key.fromMe, true);
    const history = getHistoryMsg(fullMessage.message!);
    const shouldProcessHistoryMsg = history
      ? DEFAULT_CONNECTION_CONFIG.shouldSyncHistoryMessage(history) && PROCESSABLE_HISTORY_TYPES.includes(history.syncType as any)
      : false;
    await processMessage(fullMessage, {
      shouldProcessHistoryMsg,
      ev,
      creds: companion.creds,
      signalRepository: companion.repo,
      keyStore: companion.keys,
      logger: silentLogger as any,
      options: {},
      getMessage: async () => undefined,
    } as any);
    received.push(fullMessage);
  }

  const [shared, history] = received.map((m) => m.message!.protocolMessage!);
  assert.equal(shared!.type, proto.Message.ProtocolMessage.Type.APP_STATE_SYNC_KEY_SHARE);
  assert.equal(history!.type, proto.Message.ProtocolMessage.Type.HISTORY_SYNC_NOTIFICATION);
  assert.equal(history!.historySyncNotification!.syncType, proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP);

  // The key share landed in Baileys' key store under the base64 key id and became current.
  const keyId = Buffer.from(bootstrap.appStateKeys[0]!.keyId).toString('base64');
  const stored = await companion.keys.get('app-state-sync-key', [keyId]);
  assert.deepEqual(Buffer.from(stored[keyId]!.keyData!), Buffer.from(bootstrap.appStateKeys[0]!.keyData));
  assert.ok(events.some(([name, data]) => name === 'creds.update' && data.myAppStateKeyId === keyId));

  // The inline history was inflated and emitted as the initial history set.
  const set = events.find(([name]) => name === 'messaging-history.set')?.[1];
  assert.ok(set, 'messaging-history.set emitted');
  assert.equal(set.syncType, proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP);
  assert.equal(set.progress, 100);
  assert.deepEqual(set.chats.map((c: any) => c.id), ['5511955550000@s.whatsapp.net']);
  assert.deepEqual(await companion.repo.lidMapping.getLIDForPN('5511955550000@s.whatsapp.net'), '550000@lid');
});

test('a second bootstrap to the same companion reuses the session and the given keys', async () => {
  const companion = await makeBaileysPeer(PHONE, LID, 5);
  const primary = VirtualDevice.create({ jid: `${LID}@lid` });
  const directory = parsePreKeyUpload(companion.uploadNode);
  const first = await buildPostLinkBootstrap({
    primary,
    companionJid: companion.meId,
    companionBundle: takeBundle(directory),
    fromJid: `${PHONE}@s.whatsapp.net`,
  });
  const again = await buildPostLinkBootstrap({
    primary,
    companionJid: companion.meId,
    fromJid: `${PHONE}@s.whatsapp.net`,
    appStateKeys: first.appStateKeys,
  });
  assert.equal(again.appStateKeys, first.appStateKeys);
  for (const stanza of [...first.stanzas, ...again.stanzas]) {
    const { fullMessage, decrypt } = decryptMessageNode(stanza, companion.meId, companion.meLid, companion.repo, silentLogger as any);
    await decrypt();
    assert.ok(fullMessage.message?.protocolMessage, String(fullMessage.messageStubParameters));
  }
  assert.equal(directory.preKeys.length, 9, 'only one one-time prekey consumed');
});
