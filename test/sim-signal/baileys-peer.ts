import {
  type AuthenticationCreds,
  type BinaryNode,
  encodeBigEndian,
  getNextPreKeys,
  getNextPreKeysNode,
  initAuthCreds,
  type SignalDataTypeMap,
  type SignalKeyStoreWithTransaction,
  type SignalRepositoryWithLIDStore,
  KEY_BUNDLE_TYPE,
  xmppPreKey,
  xmppSignedPreKey,
} from 'baileys';
import { makeLibSignalRepository } from 'baileys/lib/Signal/libsignal.js';
import { pino } from 'pino';

/**
 * The "real client" side of these tests: Baileys' own Signal repository over fresh creds and an
 * in-memory key store, with a genuine prekey upload node — exactly what a linked rc14 device
 * holds, minus the socket.
 */
export interface BaileysPeer {
  creds: AuthenticationCreds;
  keys: SignalKeyStoreWithTransaction;
  repo: SignalRepositoryWithLIDStore;
  uploadNode: BinaryNode;
  meId: string;
  meLid: string;
}

export const silentLogger = pino({ level: 'silent' });

export function memoryKeyStore(): SignalKeyStoreWithTransaction {
  const data = new Map<string, Map<string, unknown>>();
  const bucket = (type: string) => {
    let map = data.get(type);
    if (!map) data.set(type, (map = new Map()));
    return map;
  };
  return {
    async get(type, ids) {
      const out: Record<string, any> = {};
      for (const id of ids) {
        const value = bucket(type).get(id);
        if (value !== undefined) out[id] = value;
      }
      return out as any;
    },
    async set(update) {
      for (const [type, entries] of Object.entries(update) as [keyof SignalDataTypeMap, Record<string, unknown>][]) {
        for (const [id, value] of Object.entries(entries ?? {})) {
          if (value === null || value === undefined) bucket(type).delete(id);
          else bucket(type).set(id, value);
        }
      }
    },
    isInTransaction: () => false,
    transaction: (exec) => exec(),
  };
}

/** A Baileys companion device `<phone>:<device>` with LID `<lid>:<device>`, prekeys uploaded. */
export async function makeBaileysPeer(phone: string, lid: string, device: number, preKeys = 10): Promise<BaileysPeer> {
  const creds = initAuthCreds();
  const meId = `${phone}:${device}@s.whatsapp.net`;
  const meLid = `${lid}:${device}@lid`;
  creds.me = { id: meId, lid: meLid, name: 'peer' };
  const keys = memoryKeyStore();
  const repo = makeLibSignalRepository({ creds, keys }, silentLogger as any);
  const { update, node } = await getNextPreKeysNode({ creds, keys }, preKeys);
  Object.assign(creds, update);
  return { creds, keys, repo, uploadNode: node, meId, meLid };
}

/** The retry receipt Baileys' sendRetryRequest builds once it includes its keys (count > 1). */
export async function retryReceiptWithKeys(peer: BaileysPeer, failed: BinaryNode): Promise<BinaryNode> {
  const { update, preKeys } = await getNextPreKeys({ creds: peer.creds, keys: peer.keys }, 1);
  Object.assign(peer.creds, update);
  const [keyId] = Object.keys(preKeys);
  return {
    tag: 'receipt',
    attrs: { id: failed.attrs.id!, type: 'retry', to: failed.attrs.from! },
    content: [
      { tag: 'retry', attrs: { count: '2', id: failed.attrs.id!, t: failed.attrs.t!, v: '1', error: '0' } },
      { tag: 'registration', attrs: {}, content: encodeBigEndian(peer.creds.registrationId) },
      {
        tag: 'keys',
        attrs: {},
        content: [
          { tag: 'type', attrs: {}, content: Buffer.from(KEY_BUNDLE_TYPE) },
          { tag: 'identity', attrs: {}, content: peer.creds.signedIdentityKey.public },
          xmppPreKey(preKeys[+keyId!]!, +keyId!),
          xmppSignedPreKey(peer.creds.signedPreKey),
        ],
      },
    ],
  };
}
