import {
  type AuthenticationCreds,
  type BinaryNode,
  getNextPreKeysNode,
  initAuthCreds,
  type SignalDataTypeMap,
  type SignalKeyStoreWithTransaction,
  type SignalRepositoryWithLIDStore,
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
